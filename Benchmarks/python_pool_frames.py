"""The original server's per-frame work in one Python process (HOG detection, then an encoding per
face, jitters 1) over the same frames as zmface-bench pool, for the side-by-side frames/s figure.

Usage: python_pool_frames.py REPEAT UPSAMPLE FRAME...
"""

import json
import sys
import time

import dlib
import face_recognition

repeat, upsample, paths = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
images = [face_recognition.load_image_file(p) for p in paths]
work = [images[i % len(images)] for i in range(len(images) * repeat)]
for image in images[:1]:
    face_recognition.face_encodings(image, face_recognition.face_locations(image, upsample, "hog"))
start = time.perf_counter()
faces = 0
for image in work:
    boxes = face_recognition.face_locations(image, upsample, "hog")
    face_recognition.face_encodings(image, boxes, 1)
    faces += len(boxes)
wall = time.perf_counter() - start
print(json.dumps({"frames": len(work), "faces": faces, "wallSeconds": wall, "framesPerSecond": len(work) / wall,
                  "dlib": dlib.__version__ + (", BLAS" if dlib.DLIB_USE_BLAS else ", no BLAS")}))
