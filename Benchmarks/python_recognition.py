"""The original's recognition stages timed in Python (face_recognition on dlib), for the side-by-side
table in Benchmarks/recognition.sh. Prints the same stage names as zmface-bench, as JSON."""

import json
import statistics
import sys
import time

import cv2
import face_recognition


def timed(runs, body):
    body()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"medianMs": samples[len(samples) // 2], "minMs": samples[0], "maxMs": samples[-1], "runs": runs}


def main(frame, runs, cnn_runs):
    image = face_recognition.load_image_file(frame)
    top, right, bottom, left = face_recognition.face_locations(image, 1, "hog")[0]
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    stages = {
        "decode": timed(runs, lambda: face_recognition.load_image_file(frame)),
        "hog_upsample0": timed(runs, lambda: face_recognition.face_locations(image, 0, "hog")),
        "hog_upsample1": timed(runs, lambda: face_recognition.face_locations(image, 1, "hog")),
        "focus": timed(runs, lambda: cv2.Laplacian(
            cv2.cvtColor(bgr[top:bottom, left:right], cv2.COLOR_BGR2GRAY), cv2.CV_64F).var()),
        "encode_jitter1": timed(runs, lambda: face_recognition.face_encodings(
            image, [(top, right, bottom, left)], 1)),
        "cnn_upsample0": timed(cnn_runs, lambda: face_recognition.face_locations(image, 0, "cnn")),
    }
    print(json.dumps(stages))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
