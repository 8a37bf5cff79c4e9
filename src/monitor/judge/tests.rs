use super::*;
use crate::decide::judge::ChatMessage;
use crate::monitor::stats::tests::tagged_event;
use crate::values::Alignment;
use futures_util::future::BoxFuture;
use std::sync::atomic::AtomicUsize;

/// A scripted judge: replies "choice_2" to review prompts and fixed tags to tagging prompts,
/// after `delay`; counts calls of each kind.
struct Scripted {
    reviews: AtomicUsize,
    taggings: AtomicUsize,
    delay: Duration,
    review_reply: &'static str,
}

const TAGS: &str = r#"{"choice_1": {"autonomy": "promotes", "beneficence": "neutral", "nonmaleficence": "violates", "justice": "neutral"}, "choice_2": {"autonomy": "violates", "beneficence": "promotes", "nonmaleficence": "promotes", "justice": "neutral"}}"#;

impl Scripted {
    fn new(review_reply: &'static str, delay: Duration) -> Arc<Self> {
        Arc::new(Scripted {
            reviews: AtomicUsize::new(0),
            taggings: AtomicUsize::new(0),
            delay,
            review_reply,
        })
    }
    fn calls(&self) -> (usize, usize) {
        (
            self.reviews.load(Ordering::SeqCst),
            self.taggings.load(Ordering::SeqCst),
        )
    }
}

impl JudgeClient for Scripted {
    fn complete(&self, messages: Vec<ChatMessage>) -> BoxFuture<'_, Result<String, JudgeError>> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            if messages[0].content.contains("You label clinical answers") {
                self.reviews.fetch_add(1, Ordering::SeqCst);
                Ok(self.review_reply.to_owned())
            } else {
                self.taggings.fetch_add(1, Ordering::SeqCst);
                Ok(TAGS.to_owned())
            }
        })
    }
}

fn judge(client: &Arc<Scripted>, edit: impl FnOnce(&mut JudgeConfig)) -> Judge {
    let mut config = JudgeConfig::for_model("judge/m");
    edit(&mut config);
    Judge::new(config, client.clone())
}

/// An event of a new dilemma (no tags) read as choice_1 with `confidence`.
fn new_dilemma(key: &str, confidence: f32) -> DecisionEvent {
    let mut e = tagged_event("member", 0, key, Choice::Choice1);
    e.options = None;
    e.confidence = confidence;
    e
}

fn texts() -> JudgeTexts {
    JudgeTexts {
        options: ["Respect the refusal".into(), "Treat anyway".into()],
        case: "A patient refuses treatment.".into(),
        answer: "Hard to say; maybe treat.".into(),
    }
}

#[tokio::test]
async fn low_confidence_decisions_are_reread_and_noted() {
    let client = Scripted::new("choice_2", Duration::ZERO);
    let judge = judge(&client, |c| c.tag_sample_rate = 0.0);
    let mut known = new_dilemma("case-1", 0.4);
    known.options = tagged_event("m", 0, "case-1", Choice::Choice1).options;
    let event = judge.enrich(known.clone(), &texts()).await;
    assert_eq!(event.decision, Choice::Choice2);
    assert_eq!(event.confidence, 0.4, "confidence stays the parser's");
    let note = event.judge.unwrap();
    assert_eq!(note.model, "judge/m");
    assert_eq!(
        note.review,
        Some(JudgeReview {
            parser_decision: Choice::Choice1,
            parser_confidence: 0.4,
            judge_decision: Choice::Choice2,
        })
    );
    assert_eq!(note.tags, None);
    assert_eq!(event.options, known.options, "known tags are kept");

    // Confident decisions cost nothing and carry no note.
    let confident = judge.enrich(new_dilemma("case-2", 0.9), &texts()).await;
    assert_eq!(confident.decision, Choice::Choice1);
    assert!(confident.judge.is_none());
    assert_eq!(client.calls(), (1, 0));
    let counts = judge.counts();
    assert_eq!((counts.reviews, counts.reviews_changed), (1, 1));
}

#[tokio::test]
async fn new_dilemmas_are_tagged_once_and_known_ones_never() {
    let client = Scripted::new("choice_1", Duration::ZERO);
    let judge = judge(&client, |c| c.tag_sample_rate = 1.0);
    let first = judge.enrich(new_dilemma("vh:new", 0.95), &texts()).await;
    let tags = first.options.unwrap();
    assert_eq!(tags.deltas(), [2, -1, -2, 0]);
    assert_eq!(tags.choice_1.autonomy, Alignment::Promotes);
    assert_eq!(first.judge.as_ref().unwrap().tags.as_deref(), Some("asked"));
    assert!(first.judge.unwrap().review.is_none());
    // The same dilemma again: tags from the cache, no call.
    let again = judge.enrich(new_dilemma("vh:new", 0.95), &texts()).await;
    assert_eq!(again.options, Some(tags));
    assert_eq!(again.judge.unwrap().tags.as_deref(), Some("cached"));
    // A benchmark case already has tags.
    let known = tagged_event("member", 0, "case-7", Choice::Choice1);
    let out = judge.enrich(known.clone(), &texts()).await;
    assert_eq!(out, known);
    // Without option texts nothing can be asked.
    let bare = judge
        .enrich(new_dilemma("vh:other", 0.1), &JudgeTexts::default())
        .await;
    assert!(bare.judge.is_none() && bare.options.is_none());
    assert_eq!(client.calls(), (0, 1));
    let counts = judge.counts();
    assert_eq!((counts.tags_asked, counts.tags_cached), (1, 1));
}

#[tokio::test]
async fn tagging_follows_the_sample_rate() {
    let client = Scripted::new("choice_1", Duration::ZERO);
    let judge = judge(&client, |c| {
        c.tag_sample_rate = 0.25;
        c.max_calls_per_minute = 10_000;
    });
    for i in 0..400 {
        let e = judge
            .enrich(new_dilemma(&format!("vh:{i}"), 0.95), &texts())
            .await;
        assert_eq!(e.options.is_some(), e.judge.is_some());
    }
    let (_, tagged) = client.calls();
    assert!((60..=140).contains(&tagged), "{tagged} of 400 at rate 0.25");
    let never = self::judge(&client, |c| c.tag_sample_rate = 0.0);
    let e = never.enrich(new_dilemma("vh:x", 0.95), &texts()).await;
    assert!(e.options.is_none() && e.judge.is_none());
}

#[tokio::test]
async fn the_budget_caps_calls_per_minute() {
    let client = Scripted::new("choice_2", Duration::ZERO);
    let judge = judge(&client, |c| {
        c.tag_sample_rate = 1.0;
        c.max_calls_per_minute = 3;
    });
    let mut changed = 0;
    for i in 0..10 {
        let e = judge
            .enrich(new_dilemma(&format!("vh:{i}"), 0.2), &texts())
            .await;
        changed += usize::from(e.decision == Choice::Choice2);
    }
    let (reviews, taggings) = client.calls();
    assert_eq!(reviews + taggings, 3);
    assert_eq!(changed, reviews);
    // Each of the 10 events wanted a review and a tagging: 20 wanted, 3 allowed.
    assert_eq!(judge.counts().over_budget, 17);
    assert_eq!(judge.counts().calls, 3);
    let status = judge.status(judge.counts());
    assert_eq!(status.model, "judge/m");
    assert_eq!(
        (status.calls_last_minute, status.max_calls_per_minute),
        (3, 3)
    );
    let carried = JudgeCounts {
        calls: 5,
        failures: 2,
        ..JudgeCounts::default()
    };
    let total = judge.counts().plus(carried);
    assert_eq!((total.calls, total.failures, total.over_budget), (8, 2, 17));
}

#[tokio::test]
async fn failures_leave_the_decision_and_say_why() {
    let slow = Scripted::new("choice_2", Duration::from_secs(5));
    let judge = judge(&slow, |c| {
        c.tag_sample_rate = 0.0;
        c.timeout_ms = 50;
    });
    let started = Instant::now();
    let e = judge.enrich(new_dilemma("c", 0.1), &texts()).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(e.decision, Choice::Choice1);
    assert_eq!(e.judge.unwrap().errors, vec!["review: timeout".to_owned()]);

    let vague = Scripted::new("either could work", Duration::ZERO);
    let judge = self::judge(&vague, |c| c.tag_sample_rate = 0.0);
    let e = judge.enrich(new_dilemma("c", 0.1), &texts()).await;
    assert_eq!(e.decision, Choice::Choice1);
    assert_eq!(
        e.judge.unwrap().errors,
        vec!["review: unreadable reply".to_owned()]
    );
    assert_eq!(judge.counts().failures, 1);
}

#[tokio::test]
async fn plan_is_instant_and_says_whether_calls_follow() {
    let client = Scripted::new("choice_2", Duration::ZERO);
    let judge = judge(&client, |c| c.tag_sample_rate = 1.0);
    let confident_known = tagged_event("member", 0, "case-1", Choice::Choice1);
    let plan = judge.plan(&confident_known, &texts());
    assert!(!plan.calls());
    let plan = judge.plan(&new_dilemma("vh:a", 0.9), &texts());
    assert!(plan.calls() && !plan.review && plan.tags == TagPlan::Ask);
    assert_eq!(client.calls(), (0, 0), "planning calls nobody");
}
