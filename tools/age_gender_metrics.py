"""Age/gender accuracy figures used by every measurement on utkface-dev, so
that face-api, the converted ONNX model and the product are scored alike.

Adience age groups: 0-2, 4-6, 8-12, 15-20, 25-32, 38-43, 48-53, 60+.
An age in a gap between two groups belongs to the nearer group; the exact
middle of a gap (3, 7, 13.5, 22.5, 35, 45.5, 56.5) goes to the older group.
True ages (whole years) and predicted ages (real numbers) use the same rule.
"""
import math
import os

ADIENCE_GROUPS = [(0, 2), (4, 6), (8, 12), (15, 20), (25, 32), (38, 43), (48, 53), (60, math.inf)]
_THRESHOLDS = [(ADIENCE_GROUPS[i][1] + ADIENCE_GROUPS[i + 1][0]) / 2.0
               for i in range(len(ADIENCE_GROUPS) - 1)]


def adience_group(age):
    for i, t in enumerate(_THRESHOLDS):
        if age < t:
            return i
    return len(_THRESHOLDS)


def utkface_labels(path):
    """(age, is_male) from a UTKFace file name AGE_GENDER_RACE_DATETIME.jpg (gender 0 = male)."""
    parts = os.path.basename(path).split("_")
    return int(parts[0]), parts[1] == "0"


def score(rows):
    """rows: iterable of (true_age, true_is_male, pred_age, pred_p_male). Returns a dict."""
    rows = list(rows)
    n = len(rows)
    if n == 0:
        raise ValueError("no rows to score")
    err = [p_age - t_age for t_age, _, p_age, _ in rows]
    gender_ok = sum((p_male > 0.5) == is_male for _, is_male, _, p_male in rows)
    g_true = [adience_group(t) for t, _, _, _ in rows]
    g_pred = [adience_group(p) for _, _, p, _ in rows]
    return {
        "n": n,
        "age_mae": sum(abs(e) for e in err) / n,
        "age_rmse": math.sqrt(sum(e * e for e in err) / n),
        "age_bias": sum(err) / n,
        "gender_acc": gender_ok / n,
        "adience_exact": sum(a == b for a, b in zip(g_true, g_pred)) / n,
        "adience_one_off": sum(abs(a - b) <= 1 for a, b in zip(g_true, g_pred)) / n,
    }


def format_table(label, s):
    return "\n".join([
        "| set | n | age MAE | age RMSE | age bias | gender acc | Adience exact | Adience one-off |",
        "|---|---|---|---|---|---|---|---|",
        "| %s | %d | %.3f | %.3f | %+.3f | %.4f | %.4f | %.4f |" % (
            label, s["n"], s["age_mae"], s["age_rmse"], s["age_bias"], s["gender_acc"],
            s["adience_exact"], s["adience_one_off"]),
    ])
