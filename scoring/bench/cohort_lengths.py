"""History lengths a streaming scorer sees, from a Synthea CSV cohort: one sample per encounter (the trigger is one
scoring per source transaction), the length being the number of clinical events up to that encounter, capped at the
model's maximum length. Writes one integer per line; no identifiers or codes leave this script.

usage: cohort_lengths.py SYNTHEA_CSV_DIR MAX_LENGTH OUT.txt
"""
import collections
import csv
import sys

EVENTS = {"conditions.csv": "START", "observations.csv": "DATE", "medications.csv": "START",
          "procedures.csv": "START", "immunizations.csv": "DATE", "encounters.csv": "START"}


def main(directory, max_length, out):
    times = collections.defaultdict(list)
    for name, column in EVENTS.items():
        with open(f"{directory}/{name}", newline="") as f:
            for row in csv.DictReader(f):
                times[row["PATIENT"]].append(row[column][:19])
    encounters = collections.defaultdict(list)
    with open(f"{directory}/encounters.csv", newline="") as f:
        for row in csv.DictReader(f):
            encounters[row["PATIENT"]].append(row["START"][:19])
    lengths = []
    for patient, starts in encounters.items():
        events = sorted(times[patient])
        for t in sorted(starts):
            n = sum(1 for e in events if e <= t)
            lengths.append(max(1, min(n, max_length)))
    with open(out, "w") as f:
        f.write("\n".join(map(str, lengths)) + "\n")
    print(f"{len(lengths)} samples from {len(encounters)} patients; median {sorted(lengths)[len(lengths) // 2]}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
