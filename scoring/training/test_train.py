"""Self-test of train.py on a tiny synthetic dataset (tests only; never ship a model trained on it).

    /usr/bin/python3 -m unittest discover -s scoring/training -p 'test_*.py'

Skipped where PyTorch, numpy, sklearn or onnx are missing (CI machines without them)."""
import importlib.util
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MISSING = [m for m in ("numpy", "torch", "sklearn", "onnx", "scipy") if importlib.util.find_spec(m) is None]

if not MISSING:
    import numpy as np
    import torch

    sys.path.insert(0, HERE)
    import train

N_PATIENTS = 500
SAMPLES_PER_PATIENT = 4
LENGTH = 24
VOCAB = 60
OUTCOMES = ("t2d", "ckd", "stroke")


def write_synthetic_dataset(directory: str, seed: int = 7) -> None:
    """A dataset in the exporter's format whose labels depend on marker tokens 10, 11, 12 and on age."""
    rng = np.random.default_rng(seed)
    n = N_PATIENTS * SAMPLES_PER_PATIENT
    patient = np.repeat(np.arange(N_PATIENTS, dtype=np.int32), SAMPLES_PER_PATIENT)
    split_of_patient = rng.choice([0, 1, 2], size=N_PATIENTS, p=[0.6, 0.1, 0.3]).astype(np.int8)
    lengths = rng.integers(3, LENGTH + 1, size=n)
    tokens = np.zeros((n, LENGTH), dtype=np.int64)
    ages = np.zeros((n, LENGTH), dtype=np.float32)
    recency = np.zeros((n, LENGTH), dtype=np.float32)
    labels = np.zeros((n, len(OUTCOMES)), dtype=np.float32)
    for i in range(n):
        length = lengths[i]
        tokens[i, :length] = rng.integers(1, VOCAB, size=length)
        base_age = rng.uniform(0.2, 0.9)
        ages[i, :length] = np.sort(base_age - rng.uniform(0, 0.1, size=length))
        recency[i, :length] = np.sort(rng.uniform(0, 0.8, size=length))[::-1]
        for k in range(len(OUTCOMES)):
            logit = -2.5 + 3.0 * (10 + k in tokens[i, :length]) + 2.0 * base_age
            labels[i, k] = float(rng.random() < 1 / (1 + np.exp(-logit)))
    labels[rng.random(labels.shape) < 0.05] = -1.0
    for name, arr in (("tokens", tokens), ("ages", ages), ("recency", recency), ("labels", labels),
                      ("split", split_of_patient[patient]), ("patient", patient)):
        np.save(os.path.join(directory, name + ".npy"), arr)
    vocabulary = {"<pad>": 0, "<oov>": 1, **{f"dx:snomed:{i}": i for i in range(2, VOCAB)}}
    spec = {"vocabulary": vocabulary, "maxLength": LENGTH,
            "outcomes": [{"name": o, "snomedCodes": [str(100 + k)], "horizonDays": 365} for k, o in enumerate(OUTCOMES)]}
    with open(os.path.join(directory, "encoder-spec.json"), "w") as f:
        json.dump(spec, f)
    meta = {"cohort": directory, "patients": N_PATIENTS, "specSha256": train.sha256_file(
                os.path.join(directory, "encoder-spec.json")), "samples": n, "maxLength": LENGTH,
            "sampling": {"seed": seed, "minAgeYears": 18, "minDaysBetween": 180}, "outcomes": list(OUTCOMES)}
    manifest = {"syntheaVersion": "test", "alive": N_PATIENTS, "dead": 0,
                "options": {"patients": N_PATIENTS, "seed": seed, "clinicianSeed": seed,
                            "referenceDate": "2026-01-01", "outDir": directory}}
    with open(os.path.join(directory, "cohort.json"), "w") as f:
        json.dump(manifest, f)
    with open(os.path.join(directory, "dataset.json"), "w") as f:
        json.dump(meta, f)


@unittest.skipIf(MISSING, f"missing Python packages: {MISSING}")
class TrainScriptTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="riskstream-train-test-")
        cls.data = os.path.join(cls.tmp, "data")
        cls.out = os.path.join(cls.tmp, "model")
        os.makedirs(cls.data)
        write_synthetic_dataset(cls.data)
        cls.card = train.main(["--data", cls.data, "--out", cls.out, "--name", "emr-risk-small", "--d-model", "32",
                               "--layers", "2", "--heads", "4", "--epochs", "2", "--batch-size", "64",
                               "--bootstrap", "50", "--parity-samples", "300", "--seed", "3", "--threads", "1"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def shouldWriteAllModelFiles(self):
        for name in ("model.onnx", "model.onnx.sha256", "encoder-spec.json", "model-card.json", "model-card.md",
                     "validation/tokens.npy", "validation/ages.npy", "validation/recency.npy",
                     "validation/labels.npy", "validation/expected.npy"):
            self.assertTrue(os.path.isfile(os.path.join(self.out, name)), name)
        with open(os.path.join(self.out, "model.onnx.sha256")) as f:
            line = f.read()
        self.assertEqual(line, f"{train.sha256_file(os.path.join(self.out, 'model.onnx'))}  model.onnx\n")
        with open(os.path.join(self.data, "encoder-spec.json"), "rb") as a, \
                open(os.path.join(self.out, "encoder-spec.json"), "rb") as b:
            self.assertEqual(a.read(), b.read())

    def shouldExportOpset17WithDynamicBatchAndLength(self):
        import onnx
        proto = onnx.load(os.path.join(self.out, "model.onnx"))
        self.assertEqual([o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")], [17])
        self.assertEqual([i.name for i in proto.graph.input], ["tokens", "ages", "recency"])
        self.assertEqual([i.type.tensor_type.elem_type for i in proto.graph.input],
                         [onnx.TensorProto.INT64, onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT])
        self.assertEqual([o.name for o in proto.graph.output], ["risk"])
        out_dims = proto.graph.output[0].type.tensor_type.shape.dim
        self.assertEqual(out_dims[0].dim_param, "batch")
        self.assertEqual(out_dims[1].dim_value, len(OUTCOMES))

    def shouldMatchOnnxRuntimeAndPyTorchWithin1e4(self):
        self.assertLessEqual(self.card["parity"]["max_abs_diff"], 1e-4)
        self.assertGreaterEqual(self.card["parity"]["samples"], 256)
        expected = np.load(os.path.join(self.out, "validation", "expected.npy"))
        tokens = np.load(os.path.join(self.out, "validation", "tokens.npy"))
        self.assertEqual(expected.shape, (256, len(OUTCOMES)))
        self.assertEqual(tokens.shape, (256, LENGTH))
        self.assertTrue(((expected > 0) & (expected < 1)).all())

    def shouldGiveTheSameOutputForOneSequencePaddedToTwoLengths(self):
        model = train.RiskModel(VOCAB, len(OUTCOMES), 32, 2, 4, 64, 0.1).eval()
        tokens = np.array([[5, 9, 13, 2, 7]], dtype=np.int64)
        ages = np.array([[0.41, 0.42, 0.43, 0.45, 0.46]], dtype=np.float32)
        recency = np.array([[0.7, 0.6, 0.5, 0.3, 0.1]], dtype=np.float32)

        def padded(width):
            return tuple(np.pad(a, ((0, 0), (0, width - a.shape[1]))) for a in (tokens, ages, recency))

        short = train.torch_probs(model, *padded(8))
        long = train.torch_probs(model, *padded(40))
        self.assertLessEqual(float(np.abs(short - long).max()), 1e-6)
        # The exported graph too, through ONNX Runtime.
        runner = train.OrtRunner(1)
        onnx_short, onnx_long = runner.run(os.path.join(self.out, "model.onnx"), [padded(6), padded(24)])
        self.assertLessEqual(float(np.abs(onnx_short - onnx_long).max()), 1e-6)
        self.assertLessEqual(self.card["padding_invariance"]["max_abs_diff"], 1e-6)

    def shouldIgnoreMaskedLabelsInTheLoss(self):
        logits = torch.tensor([[0.3, -1.2], [2.0, 0.5]])
        labels = torch.tensor([[1.0, -1.0], [0.0, 1.0]])
        pos_weight = torch.tensor([2.0, 3.0])
        expected = torch.nn.functional.binary_cross_entropy_with_logits(
            torch.tensor([0.3, 2.0, 0.5]), torch.tensor([1.0, 0.0, 1.0]), pos_weight=torch.tensor([2.0, 2.0, 3.0]))
        self.assertAlmostEqual(float(train.masked_bce(logits, labels, pos_weight)), float(expected), places=6)
        changed = labels.clone()
        logits_changed = logits.clone()
        logits_changed[0, 1] = 50.0  # a masked position's logit must not matter
        self.assertAlmostEqual(float(train.masked_bce(logits_changed, changed, pos_weight)), float(expected), places=6)

    def shouldWriteACardWithMetricsBaselineAndCosts(self):
        with open(os.path.join(self.out, "model-card.json")) as f:
            card = json.load(f)
        self.assertEqual([m["outcome"] for m in card["metrics"]["per_outcome"]], list(OUTCOMES))
        for m in card["metrics"]["per_outcome"]:
            self.assertTrue(0.0 <= m["auroc_ci95"][0] <= m["auroc"] <= m["auroc_ci95"][1] <= 1.0, m)
            self.assertTrue(0.0 <= m["auprc_ci95"][0] <= m["auprc_ci95"][1] <= 1.0, m)
            self.assertEqual(m["bootstrap"]["by"], "patient")
        for b in card["baseline"]["per_outcome"]:
            self.assertGreater(b["test_auroc"], 0.6, b)  # the marker tokens make the task easy for a linear model
        self.assertEqual(card["cohort"]["reference_date"], "2026-01-01")
        self.assertEqual(card["parameters"], sum(p.numel() for p in train.RiskModel(
            VOCAB, len(OUTCOMES), 32, 2, 4, 128, 0.1).parameters()))
        self.assertEqual(card["flops_per_sequence"]["length"], LENGTH)
        self.assertEqual(card["onnx"]["sha256"], train.sha256_file(os.path.join(self.out, "model.onnx")))
        self.assertEqual(card["encoder_spec"]["sha256"], train.sha256_file(os.path.join(self.data, "encoder-spec.json")))
        self.assertEqual(card["training"]["epochs_run"], 2)
        self.assertEqual(len(card["training"]["calibration"]["scale"]), len(OUTCOMES))
        self.assertEqual(card["cohort"]["synthea_seed"], 7)
        self.assertEqual(card["cohort"]["patients_in_dataset"], N_PATIENTS)
        self.assertEqual(len(card["commands"]), 3)
        self.assertIn("riskstream cohort generate --patients 500 --seed 7", card["commands"][0])
        self.assertEqual(f"riskstream dataset export --cohort {self.data} --out {self.data} --max-length {LENGTH} "
                         f"--seed 7 --min-days-between 180 --exclude-codes ''", card["commands"][1])
        self.assertIn("scoring/training/train.py", card["commands"][2])
        self.assertEqual(card["prevalence"][0]["test"]["n"] + card["prevalence"][0]["test"]["masked"],
                         card["samples"]["test"])
        with open(os.path.join(self.out, "model-card.md")) as f:
            self.assertIn("| t2d |", f.read())

    def shouldComputeWeightedAurocAndAuprcAsSklearnDoes(self):
        from sklearn.metrics import average_precision_score, roc_auc_score
        rng = np.random.default_rng(5)
        y = (rng.random(400) < 0.2).astype(np.float64)
        p = np.round(rng.random(400) + 0.4 * y, 2)  # rounding makes ties
        w = rng.integers(0, 3, size=(5, 400)).astype(np.float64)
        auc, ap = train.weighted_auroc_auprc(y, p, w)
        for i in range(5):
            self.assertAlmostEqual(auc[i], roc_auc_score(y, p, sample_weight=w[i]), places=10)
            self.assertAlmostEqual(ap[i], average_precision_score(y, p, sample_weight=w[i]), places=10)
        one_class, _ = train.weighted_auroc_auprc(y, p, (y == 0)[None, :].astype(np.float64))
        self.assertTrue(np.isnan(one_class[0]))

    def shouldRecoverPlattScalingAndLeaveOutcomesWithoutBothClassesAlone(self):
        rng = np.random.default_rng(11)
        z = rng.normal(0.0, 2.0, size=20000).astype(np.float32)
        y = (rng.random(20000) < 1 / (1 + np.exp(-(0.5 * z - 2.0)))).astype(np.float32)
        labels = np.stack([y, np.zeros_like(y)], axis=1)
        labels[:100, 0] = -1.0
        scale, bias = train.fit_platt(np.stack([z, z], axis=1), labels)
        self.assertAlmostEqual(float(scale[0]), 0.5, delta=0.05)
        self.assertAlmostEqual(float(bias[0]), -2.0, delta=0.1)
        self.assertEqual((float(scale[1]), float(bias[1])), (1.0, 0.0))

    def shouldCountFlopsAnalytically(self):
        f = train.flops_per_sequence(d=4, layers=1, ff_dim=8, outcomes=2, length=3)
        # features 2*3*(2*4+16)=144; layer 2*3*4*12 + 2*9*4*2 + 2*3*16 + 4*3*4*8 = 288+144+96+384 = 912; head 16
        self.assertEqual(f["total"], 144 + 912 + 16)

    def shouldRejectLeftPaddedTokens(self):
        bad = os.path.join(self.tmp, "bad")
        shutil.copytree(self.data, bad)
        tokens = np.load(os.path.join(bad, "tokens.npy"))
        tokens[0, 0] = 0  # every synthetic row has at least 3 tokens, so a real token now follows a pad
        np.save(os.path.join(bad, "tokens.npy"), tokens)
        with self.assertRaises(SystemExit) as ctx:
            train.load_dataset(bad)
        self.assertIn("right-padded", str(ctx.exception))

    def shouldRejectAnEncoderSpecChangedAfterTheExport(self):
        bad = os.path.join(self.tmp, "changed-spec")
        shutil.copytree(self.data, bad)
        with open(os.path.join(bad, "dataset.json")) as f:
            meta = json.load(f)
        meta["specSha256"] = "0" * 64
        with open(os.path.join(bad, "dataset.json"), "w") as f:
            json.dump(meta, f)
        with self.assertRaises(SystemExit) as ctx:
            train.load_dataset(bad)
        self.assertIn("specSha256", str(ctx.exception))

    def shouldRejectAMaxLengthOtherThanTheDatasets(self):
        with self.assertRaises(SystemExit) as ctx:
            train.main(["--data", self.data, "--out", os.path.join(self.tmp, "x"), "--name", "emr-risk-small",
                        "--max-length", "16", "--epochs", "1"])
        self.assertIn("dataset export --max-length 16", str(ctx.exception))

    def shouldReproduceARunStoppedEarlyWithTheSameWeights(self):
        common = ["--data", self.data, "--name", "emr-risk-small", "--d-model", "16", "--layers", "1", "--heads", "2",
                  "--epochs", "3", "--batch-size", "128", "--bootstrap", "10", "--seed", "5", "--threads", "1"]
        first = train.main(common + ["--out", os.path.join(self.tmp, "r1"), "--stop-after-epochs", "1"])
        second = train.main(common + ["--out", os.path.join(self.tmp, "r2"), "--stop-after-epochs", "1"])
        self.assertEqual(first["training"]["epochs_run"], 1)
        self.assertEqual(first["training"]["stop_reason"], "--stop-after-epochs 1")
        self.assertEqual(first["onnx"]["sha256"], second["onnx"]["sha256"])


    def shouldPutCalibrationCurvesWithIntervalsInTheCard(self):
        for m in self.card["metrics"]["per_outcome"]:
            c = m["calibration"]
            self.assertEqual(len(c["bins"]), train.CALIBRATION_BINS)
            self.assertEqual(sum(b["n"] for b in c["bins"]), m["n"])
            for b in c["bins"]:
                self.assertLessEqual(b["observed_ci95"][0], b["observed"] + 1e-12)
                self.assertGreaterEqual(b["observed_ci95"][1], b["observed"] - 1e-12)
            self.assertEqual([b["expected"] for b in c["bins"]], sorted(b["expected"] for b in c["bins"]))
        with open(os.path.join(self.out, "model-card.md")) as f:
            markdown = f.read()
        self.assertIn("## Calibration (test split)", markdown)
        self.assertLess(markdown.index("## Calibration"), markdown.index("## Model"))
        if importlib.util.find_spec("matplotlib") is not None:
            self.assertTrue(os.path.isfile(os.path.join(self.out, "calibration.png")))

    def shouldAddTheSameCalibrationToAnExistingCardFromTheOnnxModel(self):
        import calibrate_card
        copy = os.path.join(self.tmp, "model-copy")
        shutil.copytree(self.out, copy)
        card_path = os.path.join(copy, "model-card.json")
        with open(card_path) as f:
            card = json.load(f)
        for m in card["metrics"]["per_outcome"]:
            m.pop("calibration")
        with open(card_path, "w") as f:
            json.dump(card, f)
        md_path = os.path.join(copy, "model-card.md")
        with open(md_path) as f:
            markdown = f.read()
        start, end = markdown.index("## Calibration"), markdown.index("## Model")
        with open(md_path, "w") as f:
            f.write(markdown[:start] + markdown[end:] + "\n## Operating points (default alert thresholds)\n\nkept\n")

        again = calibrate_card.main(["--data", self.data, "--model", copy, "--threads", "1"])

        for a, b in zip(again["metrics"]["per_outcome"], self.card["metrics"]["per_outcome"]):
            self.assertEqual([x["n"] for x in a["calibration"]["bins"]], [x["n"] for x in b["calibration"]["bins"]])
            for x, y in zip(a["calibration"]["bins"], b["calibration"]["bins"]):
                self.assertAlmostEqual(x["observed"], y["observed"], places=9)
                self.assertAlmostEqual(x["expected"], y["expected"], places=5)  # ONNX Runtime vs PyTorch
        with open(md_path) as f:
            rewritten = f.read()
        self.assertEqual(rewritten.count("## Calibration (test split)"), 1)
        self.assertIn("kept", rewritten)
        calibrate_card.main(["--data", self.data, "--model", copy, "--threads", "1"])  # a second run replaces it
        with open(md_path) as f:
            self.assertEqual(f.read(), rewritten)

    def shouldRefuseToCalibrateACardWithADatasetItWasNotTrainedOn(self):
        import calibrate_card
        other = os.path.join(self.tmp, "other-data")
        os.makedirs(other, exist_ok=True)
        write_synthetic_dataset(other, seed=8)
        with open(os.path.join(other, "encoder-spec.json"), "a") as f:
            f.write(" ")  # another spec (its dataset.json says so too, as an export with another spec would)
        with open(os.path.join(other, "dataset.json")) as f:
            meta = json.load(f)
        meta["specSha256"] = train.sha256_file(os.path.join(other, "encoder-spec.json"))
        with open(os.path.join(other, "dataset.json"), "w") as f:
            json.dump(meta, f)
        with self.assertRaises(SystemExit) as caught:
            calibrate_card.main(["--data", other, "--model", self.out, "--threads", "1"])
        self.assertIn("not the one", str(caught.exception))


@unittest.skipIf(MISSING, f"missing Python packages: {MISSING}")
class CalibrationCurveTest(unittest.TestCase):

    def shouldFindCalibratedProbabilitiesCalibratedAndDoubledOnesNot(self):
        rng = np.random.default_rng(5)
        p = rng.uniform(0.001, 0.2, size=40000)
        y = (rng.random(len(p)) < p).astype(np.float64)
        groups = np.arange(len(p)) // 4
        good = train.calibration_curve(y, p, groups, 10, 200, 1)
        self.assertLess(good["observed_to_expected_ci95"][0], 1.0)
        self.assertGreater(good["observed_to_expected_ci95"][1], 1.0)
        self.assertLess(good["ece"], 0.01)
        bad = train.calibration_curve(y, np.minimum(2 * p, 1.0), groups, 10, 200, 1)
        self.assertLess(bad["observed_to_expected_ci95"][1], 0.6)
        self.assertGreater(bad["ece"], 0.04)
        self.assertEqual(sum(b["n"] for b in good["bins"]), len(p))
        self.assertEqual([b["n"] for b in good["bins"]], [4000] * 10)

    def shouldResampleWholePatients(self):
        # Every sample of a patient shares the label: per-patient resampling widens the interval against per-sample.
        rng = np.random.default_rng(6)
        patients = np.repeat(np.arange(500), 20)
        p = np.full(len(patients), 0.1)
        y = np.repeat((rng.random(500) < 0.1).astype(np.float64), 20)
        by_patient = train.calibration_curve(y, p, patients, 1, 300, 2)["observed_to_expected_ci95"]
        by_sample = train.calibration_curve(y, p, np.arange(len(p)), 1, 300, 2)["observed_to_expected_ci95"]
        self.assertGreater(by_patient[1] - by_patient[0], 2 * (by_sample[1] - by_sample[0]))


@unittest.skipIf(MISSING, f"missing Python packages: {MISSING}")
class ChunkedCohortTest(unittest.TestCase):
    """A dataset exported from a cohort generated in chunks (dataset.json's `cohorts`): the card's cohort facts and
    regeneration commands come from every chunk's cohort.json."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chunked-")
        self.dirs = []
        for seed, dead in ((101, 120), (102, 131), (104, 99)):
            d = os.path.join(self.tmp, f"s{seed}")
            os.makedirs(d)
            with open(os.path.join(d, "cohort.json"), "w") as f:
                json.dump({"syntheaVersion": "3.3.0", "alive": 1000, "dead": dead,
                           "options": {"patients": 1000, "seed": seed, "clinicianSeed": seed,
                                       "referenceDate": "2025-12-31", "state": "Massachusetts", "outDir": d}}, f)
            self.dirs.append(d)
        self.meta = {"cohort": None, "cohorts": self.dirs, "patients": 3350,
                     "sampling": {"seed": 42, "minAgeYears": 18, "minDaysBetween": 180}}

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def shouldSumTheChunksAndListTheirSeeds(self):
        path, manifest = train.find_cohort_manifest(os.path.join(self.tmp, "dataset"), self.meta, None)
        info = train.cohort_info(self.meta, path, manifest)
        self.assertEqual(info["patients_generated"], 3000)
        self.assertEqual((info["alive"], info["dead"]), (3000, 350))
        self.assertEqual(info["synthea_seed"], "101-102, 104")
        self.assertEqual(info["reference_date"], "2025-12-31")
        self.assertEqual(info["synthea_version"], "3.3.0")
        self.assertEqual(info["cohort_directory"], f"3 directories, {self.dirs[0]} to {self.dirs[-1]}")
        self.assertEqual(path, "3 cohort.json files, one per directory")

    def shouldGiveOneGenerateCommandPerChunkAndExportThemAll(self):
        _, manifest = train.find_cohort_manifest(os.path.join(self.tmp, "dataset"), self.meta, None)

        class Data:
            meta = self.meta
            spec = {"minCount": 5, "binCount": 5, "excludedCodes": ["DALY", "QALY", "QOLS"]}
            max_length = 128

        class Args:
            data = "/data/ds"

        cmds = train.regeneration_commands(Args, Data, manifest, ["--data", "/data/ds"])
        self.assertEqual(len(cmds), 5)
        self.assertEqual(cmds[2], "riskstream cohort generate --patients 1000 --seed 104 --clinician-seed 104 "
                                  f"--reference-date 2025-12-31 --out {self.dirs[2]}")
        self.assertEqual(cmds[3], f"riskstream dataset export --cohort {','.join(self.dirs)} --out /data/ds "
                                  "--max-length 128 --min-count 5 --bins 5 --seed 42 --min-days-between 180 "
                                  "--exclude-codes DALY,QALY,QOLS")

    def shouldReadTheManifestsTheDatasetCarries(self):
        data_dir = os.path.join(self.tmp, "dataset")
        os.makedirs(os.path.join(data_dir, "cohort-manifests"))
        for i, d in enumerate(self.dirs):
            shutil.move(os.path.join(d, "cohort.json"),
                        os.path.join(data_dir, "cohort-manifests", f"{i:02d}-{os.path.basename(d)}.json"))
        _, manifest = train.find_cohort_manifest(data_dir, self.meta, None)
        self.assertEqual(manifest["options"]["patients"], 3000)
        self.assertEqual(manifest["options"]["seed"], "101-102, 104")

    def shouldNotRecordHalfACohortWhenAChunkLacksItsManifest(self):
        os.remove(os.path.join(self.dirs[1], "cohort.json"))
        self.assertEqual(train.find_cohort_manifest(os.path.join(self.tmp, "dataset"), self.meta, None), (None, {}))


# unittest finds methods by the prefix "test"; the project names test methods shouldXxx.
for _case in (TrainScriptTest, ChunkedCohortTest, CalibrationCurveTest):
    for _name in [n for n in vars(_case) if n.startswith("should")]:
        setattr(_case, "test_" + _name, getattr(_case, _name))

if __name__ == "__main__":
    unittest.main()
