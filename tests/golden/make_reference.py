"""Reference numbers for the attribution golden test, from an independent implementation
(statsmodels GLM, scipy's softmax and jensenshannon).

Run once in a throwaway venv outside the repository:
    python3 -m venv /tmp/vb-venv && /tmp/vb-venv/bin/pip install statsmodels scipy numpy
    /tmp/vb-venv/bin/python tests/golden/make_reference.py
It reads ../shared/valuebench (or $PLURALIS_VALUEBENCH) and writes tests/golden/attribution.json:
numbers only, keyed by decision-maker id; no case ids or text from the data.
"""

import glob
import hashlib
import json
import os
import sys
import warnings

import numpy as np
import statsmodels.api as sm
from scipy.spatial.distance import jensenshannon
from scipy.special import softmax
from scipy.stats import chi2

VALUES = ["autonomy", "beneficence", "nonmaleficence", "justice"]
SCORE = {"promotes": 1, "neutral": 0, "violates": -1}
T = 0.262
CONSENSUS = "physician_consensus"

here = os.path.dirname(os.path.abspath(__file__))
root = os.environ.get("PLURALIS_VALUEBENCH") or os.path.join(here, "..", "..", "..", "shared", "valuebench")
if not os.path.isdir(os.path.join(root, "llm_decisions")):
    sys.exit(f"no ValueBench folder at {root}")


def load(folder):
    out = {}
    for path in sorted(glob.glob(os.path.join(root, folder, "*.json"))):
        with open(path) as f:
            d = json.load(f)
        out[d["case_id"]] = d
    return out


llm = load("llm_decisions/physician_recommendation")
human = load("human_decisions")


def counts(runs):
    c1 = sum(r["parsed_choice"] == "choice_1" for r in runs)
    c2 = sum(r["parsed_choice"] == "choice_2" for r in runs)
    return c1, c2


# Cases with at least one valid physician vote, like the paper's profile table.
case_ids = []
for cid, d in sorted(human.items()):
    pooled = [counts(m["runs"]) for mid, m in d["models"].items() if mid.startswith("human/")]
    if sum(a + b for a, b in pooled) > 0:
        case_ids.append(cid)


def deltas(case):
    return [SCORE[case["choice_1"][v]] - SCORE[case["choice_2"][v]] for v in VALUES]


makers = {}
for cid in case_ids:
    d = llm.get(cid, human[cid])
    x = deltas(d["case"])
    merged = {}
    for src in (llm.get(cid), human[cid]):
        if src:
            for mid, m in src["models"].items():
                merged.setdefault(mid, []).extend(m["runs"])
    pooled = [0, 0]
    for mid, runs in merged.items():
        c = counts(runs)
        makers.setdefault(mid, []).append((x, c))
        if mid.startswith("human/"):
            pooled[0] += c[0]
            pooled[1] += c[1]
    makers.setdefault(CONSENSUS, []).append((x, tuple(pooled)))


def fit(rows):
    rows = [(x, c) for x, c in rows if c[0] + c[1] > 0]
    X = np.array([x for x, _ in rows], dtype=float)
    n = np.array([c[0] + c[1] for _, c in rows], dtype=float)
    y = np.array([c[0] for _, c in rows], dtype=float) / n
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, X, family=sm.families.Binomial(), freq_weights=n)
        res = model.fit(cov_type="HC3", tol=1e-14, maxiter=200)
        null = sm.GLM(y, X.sum(axis=1, keepdims=True), family=sm.families.Binomial(), freq_weights=n)
        res0 = null.fit(tol=1e-14, maxiter=200)
    lr = max(0.0, 2 * (res.llf - res0.llf))
    return {
        "beta": [float(b) for b in res.params],
        "se_hc3": [float(s) for s in res.bse],
        "p_values": [float(p) for p in res.pvalues],
        "lrt_statistic": float(lr),
        "lrt_p_value": float(chi2.sf(lr, 3)),
    }


def fixture_key(mid):
    """Physicians are keyed by a hash of their id: the fixture keeps figures, not data ids."""
    if mid.startswith("human/"):
        return "human/sha256:" + hashlib.sha256(mid.encode()).hexdigest()[:16]
    return mid


out = {"temperature": T, "cases": len(case_ids), "decision_makers": {}}
for mid, rows in sorted(makers.items()):
    r = fit(rows)
    r["profile"] = [float(p) for p in softmax(np.array(r["beta"]) / T)]
    out["decision_makers"][fixture_key(mid)] = r
cons = out["decision_makers"][CONSENSUS]["profile"]
for mid, r in out["decision_makers"].items():
    r["jsd_to_consensus"] = float(jensenshannon(r["profile"], cons, base=2) ** 2)

with open(os.path.join(here, "attribution.json"), "w") as f:
    json.dump(out, f, indent=1, sort_keys=True)
    f.write("\n")
print(f"wrote {len(out['decision_makers'])} decision makers over {len(case_ids)} cases")
