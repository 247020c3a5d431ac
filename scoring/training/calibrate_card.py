"""Adds calibration curves to a trained model's card without training again.

Scores the dataset's test split with the model's ONNX file (ONNX Runtime, as train.py's parity check runs it), checks
that the AUROCs equal the card's (so the card, the model and the dataset belong together), and writes per outcome the
reliability bins with 95% patient-bootstrap intervals, O/E and ECE into model-card.json
(`metrics.per_outcome[].calibration`), the "Calibration (test split)" section of model-card.md (replaced, or put
before "## Model"), and calibration.png. New trainings write the same from train.py.

    python3 scoring/training/calibrate_card.py --data DATASET --model scoring/src/main/resources/models/emr-risk-small
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def score_test_split(data: train.Dataset, model_dir: str, threads: int) -> tuple:
    test_idx = data.indices(2)
    ort = train.OrtRunner(threads)
    pieces = train.chunks(len(test_idx), 4096)
    sets = [tuple(a[test_idx[c]] for a in (data.tokens, data.ages, data.recency)) for c in pieces]
    probs = np.concatenate(ort.run(os.path.join(model_dir, "model.onnx"), sets))
    return test_idx, probs, ort.kind


def replace_section(markdown: str, section: list) -> str:
    """The card's Markdown with its Calibration section replaced, or inserted before "## Model"."""
    lines = markdown.split("\n")
    head = section[0]
    if head in lines:
        start = lines.index(head)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = section
    elif "## Model" in lines:
        at = lines.index("## Model")
        lines[at:at] = section
    else:
        raise SystemExit("model-card.md has neither a Calibration nor a Model section to put the curves before")
    return "\n".join(lines)


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="the dataset the model was trained on (`riskstream dataset export`)")
    p.add_argument("--model", required=True, help="the model folder (model.onnx, encoder-spec.json, model-card.*)")
    p.add_argument("--threads", type=int, default=2, help="ONNX Runtime threads")
    p.add_argument("--bootstrap", type=int, default=0, help="resamples; default: the card's")
    args = p.parse_args(argv)

    card_path = os.path.join(args.model, "model-card.json")
    with open(card_path, encoding="utf-8") as f:
        card = json.load(f)
    data = train.load_dataset(args.data)
    if train.sha256_file(data.spec_path) != card["encoder_spec"]["sha256"]:
        raise SystemExit(f"the dataset's encoder spec is not the one {args.model} was trained with (sha256 differs)")
    resamples = args.bootstrap or int(card["metrics"]["bootstrap_resamples"])
    test_idx, probs, kind = score_test_split(data, args.model, args.threads)
    train.log(f"scored {len(test_idx)} test samples with {kind}")
    for k, m in enumerate(card["metrics"]["per_outcome"]):
        if m["outcome"] != data.outcomes[k]:
            raise SystemExit(f"the card's outcome {k} is {m['outcome']}, the dataset's {data.outcomes[k]}")
        y_all = data.labels[test_idx, k]
        mask = y_all >= 0
        y, pr, g = y_all[mask].astype(np.float64), probs[mask, k].astype(np.float64), data.patient[test_idx][mask]
        if not 0 < y.sum() < len(y):
            continue
        got = train.auroc(y, pr)
        if abs(got - m["auroc"]) > 1e-4:
            raise SystemExit(f"{m['outcome']}: AUROC {got:.6f} from model.onnx, {m['auroc']:.6f} in the card: the model, "
                             f"card and dataset do not belong together")
        seed = int(m.get("bootstrap", {}).get("seed", k))
        m["calibration"] = train.calibration_curve(y, pr, g, train.CALIBRATION_BINS, resamples, seed)
        c = m["calibration"]
        train.log(f"{m['outcome']}: O/E {c['observed_to_expected']:.2f}, ECE {c['ece']:.5f}")
    with open(card_path, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=2, sort_keys=False, ensure_ascii=False)
        f.write("\n")
    md_path = os.path.join(args.model, "model-card.md")
    with open(md_path, encoding="utf-8") as f:
        markdown = f.read()
    with open(md_path, "w", encoding="utf-8") as f:
        f.write(replace_section(markdown, train.calibration_lines(card)))
    with open(os.path.join(args.model, "encoder-spec.json"), encoding="utf-8") as f:
        names = train.display_names(json.load(f))
    train.plot_calibration(card, os.path.join(args.model, "calibration.png"), names)
    train.log(f"wrote the calibration curves into {card_path}, model-card.md and calibration.png")
    return card


if __name__ == "__main__":
    main()
