"""The original encode_faces.py's loop (seed-spec.md §5.2), for the encode throughput comparison:
every file under the dataset, cv2.imread, BGR->RGB, face_locations (upsample 1), face_encodings of
all boxes with the given jitters, the first kept. Single process, as the original.

Usage: python_encode_faces.py DATASET DETECTOR JITTERS
"""

import glob
import os
import sys
import time

import cv2
import face_recognition

dataset, detector, jitters = sys.argv[1], sys.argv[2], int(sys.argv[3])
paths = [p for p in glob.glob(os.path.join(dataset, "**", "*.*"), recursive=True) if os.path.isfile(p)]
start = time.perf_counter()
encoded = 0
for path in paths:
    image = cv2.imread(path)
    if image is None:
        continue
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    boxes = face_recognition.face_locations(rgb, number_of_times_to_upsample=1, model=detector)
    if not boxes:
        continue
    face_recognition.face_encodings(rgb, boxes, num_jitters=jitters)[0]
    encoded += 1
elapsed = time.perf_counter() - start
print(f"{len(paths)} {encoded} {elapsed:.3f}")
