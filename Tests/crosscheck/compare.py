"""Compares `zmface detect` output with reference_detect.py output, image by image.

Must hold for every image: the same size, the same number of faces, identical boxes, descriptor
distance < 0.01 and the same focus measure (relative difference < 1e-9). Prints one line per
check and a closing 'N passed, N failed' line; exits 1 on any failure.
"""

import json
import math
import sys


def load(path):
    with open(path) as handle:
        return {row["path"]: row for row in map(json.loads, handle) if row}


def main(zmface_path, reference_path):
    ours, theirs = load(zmface_path), load(reference_path)
    passed = failed = 0

    def check(ok, what):
        nonlocal passed, failed
        print(("PASS " if ok else "FAIL ") + what)
        if ok:
            passed += 1
        else:
            failed += 1

    check(ours.keys() == theirs.keys() and len(ours) > 0, f"same images ({len(ours)})")
    for path in sorted(theirs):
        mine, ref = ours.get(path), theirs[path]
        if mine is None:
            continue
        name = path.rsplit("/", 1)[-1]
        check((mine["width"], mine["height"]) == (ref["width"], ref["height"]), f"{name}: size")
        check(len(mine["faces"]) == len(ref["faces"]) > 0,
              f"{name}: face count zmface={len(mine['faces'])} python={len(ref['faces'])}")
        for index, (a, b) in enumerate(zip(mine["faces"], ref["faces"])):
            box_a = [a[k] for k in ("top", "right", "bottom", "left")]
            box_b = [b[k] for k in ("top", "right", "bottom", "left")]
            check(box_a == box_b, f"{name} face {index}: box zmface={box_a} python={box_b}")
            distance = math.dist(a["encoding"], b["encoding"])
            check(distance < 0.01, f"{name} face {index}: descriptor distance {distance:.6f} < 0.01")
            relative = abs(a["focus"] - b["focus"]) / max(abs(b["focus"]), 1e-12)
            check(relative < 1e-9,
                  f"{name} face {index}: focus zmface={a['focus']:.6f} opencv={b['focus']:.6f}")
    print(f"crosscheck: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
