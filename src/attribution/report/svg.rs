//! Minimal SVG building blocks for the HTML report: a horizontal "rows" chart (one labelled row
//! per decision maker over a numeric x axis) that dot plots, bars and forest plots share.

use std::fmt::Write;

/// Escape text for HTML/SVG content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Geometry of a rows chart: labels on the left, x axis from `x_min` to `x_max`.
pub struct RowsChart {
    pub width: f64,
    pub label_width: f64,
    pub row_height: f64,
    pub rows: usize,
    pub x_min: f64,
    pub x_max: f64,
    pub top: f64,
    body: String,
}

impl RowsChart {
    pub fn new(rows: usize, x_min: f64, x_max: f64, width: f64, label_width: f64) -> RowsChart {
        let x_max = if x_max > x_min { x_max } else { x_min + 1.0 };
        RowsChart {
            width,
            label_width,
            row_height: 20.0,
            rows,
            x_min,
            x_max,
            top: 8.0,
            body: String::new(),
        }
    }

    fn plot_right(&self) -> f64 {
        self.width - 16.0
    }

    pub fn x(&self, v: f64) -> f64 {
        let v = if v.is_finite() {
            v.clamp(self.x_min, self.x_max)
        } else {
            self.x_min
        };
        self.label_width
            + (v - self.x_min) / (self.x_max - self.x_min) * (self.plot_right() - self.label_width)
    }

    pub fn y(&self, row: usize) -> f64 {
        self.top + (row as f64 + 0.5) * self.row_height
    }

    fn plot_bottom(&self) -> f64 {
        self.top + self.rows as f64 * self.row_height
    }

    pub fn label(&mut self, row: usize, text: &str, class: &str) {
        let _ = write!(
            self.body,
            r#"<text class="{class}" x="{:.1}" y="{:.1}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            self.label_width - 8.0,
            self.y(row),
            esc(text)
        );
    }

    /// A shaded vertical band from x = a to x = b over all rows.
    pub fn band(&mut self, a: f64, b: f64, class: &str, title: &str) {
        let (xa, xb) = (self.x(a.min(b)), self.x(a.max(b)));
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{xa:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
            self.top,
            (xb - xa).max(1.0),
            self.plot_bottom() - self.top,
            esc(title)
        );
    }

    /// A vertical line at x = v over all rows.
    pub fn vline(&mut self, v: f64, class: &str) {
        let x = self.x(v);
        let _ = write!(
            self.body,
            r#"<line class="{class}" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            self.top,
            self.plot_bottom()
        );
    }

    /// A horizontal bar from the axis origin to v in one row.
    pub fn bar(&mut self, row: usize, v: f64, class: &str, title: &str) {
        let x0 = self.x(self.x_min.max(0.0));
        let x1 = self.x(v);
        let h = self.row_height * 0.6;
        let _ = write!(
            self.body,
            r#"<rect class="{class}" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}</title></rect>"#,
            x0.min(x1),
            self.y(row) - h / 2.0,
            (x1 - x0).abs().max(0.5),
            esc(title)
        );
    }

    /// A whisker (interval) in one row.
    pub fn whisker(&mut self, row: usize, lo: f64, hi: f64, class: &str) {
        let (a, b, y) = (self.x(lo), self.x(hi), self.y(row));
        let _ = write!(
            self.body,
            r#"<path class="{class}" d="M{a:.1},{y:.1}H{b:.1}M{a:.1},{:.1}V{:.1}M{b:.1},{:.1}V{:.1}"/>"#,
            y - 4.0,
            y + 4.0,
            y - 4.0,
            y + 4.0
        );
    }

    /// A dot in one row.
    pub fn dot(&mut self, row: usize, v: f64, r: f64, class: &str, title: &str) {
        let _ = write!(
            self.body,
            r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="{r}"><title>{}</title></circle>"#,
            self.x(v),
            self.y(row),
            esc(title)
        );
    }

    /// A small vertical tick in one row.
    pub fn tick(&mut self, row: usize, v: f64, class: &str) {
        let (x, y) = (self.x(v), self.y(row));
        let _ = write!(
            self.body,
            r#"<line class="{class}" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"/>"#,
            y - 6.0,
            y + 6.0
        );
    }

    /// Close the chart with an x axis of `ticks` labelled steps and a caption.
    pub fn finish(mut self, ticks: usize, axis_caption: &str, fmt: fn(f64) -> String) -> String {
        let bottom = self.plot_bottom();
        let _ = write!(
            self.body,
            r#"<line class="axis" x1="{:.1}" x2="{:.1}" y1="{bottom:.1}" y2="{bottom:.1}"/>"#,
            self.label_width,
            self.plot_right()
        );
        for i in 0..=ticks {
            let v = self.x_min + (self.x_max - self.x_min) * i as f64 / ticks.max(1) as f64;
            let x = self.x(v);
            let _ = write!(
                self.body,
                r#"<line class="grid" x1="{x:.1}" x2="{x:.1}" y1="{:.1}" y2="{:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                self.top,
                bottom + 4.0,
                bottom + 16.0,
                fmt(v)
            );
        }
        let height = bottom + 36.0;
        let _ = write!(
            self.body,
            r#"<text class="caption" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            (self.label_width + self.plot_right()) / 2.0,
            bottom + 31.0,
            esc(axis_caption)
        );
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height:.0}" width="{w}" height="{height:.0}" role="img">{body}</svg>"#,
            w = self.width,
            body = self.body
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn maps_values_into_the_plot_area() {
        let c = RowsChart::new(3, 0.0, 1.0, 400.0, 100.0);
        assert_eq!(c.x(0.0), 100.0);
        assert_eq!(c.x(1.0), 384.0);
        assert_eq!(c.x(7.0), 384.0, "clamped");
        assert_eq!(c.x(f64::NAN), 100.0);
    }
}
