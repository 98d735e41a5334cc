"""The original server's recognition steps, run by the original Python stack.

For each image: face_recognition.face_locations (HOG, upsample 1), face_encodings (jitters 1) and
the seed's focus measure, cv2.Laplacian(cv2.cvtColor(crop, BGR2GRAY), CV_64F).var(). Prints one
JSON line per image, in the same shape as `zmface detect`, so the two can be compared.
"""

import json
import sys

import cv2
import dlib
import face_recognition
import numpy as np


def describe(path):
    rgb = face_recognition.load_image_file(path)
    boxes = face_recognition.face_locations(rgb, number_of_times_to_upsample=1, model="hog")
    encodings = face_recognition.face_encodings(rgb, known_face_locations=boxes, num_jitters=1)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    faces = []
    for (top, right, bottom, left), encoding in zip(boxes, encodings):
        grey = cv2.cvtColor(bgr[top:bottom, left:right], cv2.COLOR_BGR2GRAY)
        faces.append({
            "top": top, "right": right, "bottom": bottom, "left": left,
            "focus": float(cv2.Laplacian(grey, cv2.CV_64F).var()),
            "encoding": [float(v) for v in encoding],
        })
    return {"path": path, "width": int(rgb.shape[1]), "height": int(rgb.shape[0]), "faces": faces}


if __name__ == "__main__":
    print(f"# dlib {dlib.__version__}, face_recognition {face_recognition.__version__}, "
          f"OpenCV {cv2.__version__}, numpy {np.__version__}", file=sys.stderr)
    for image_path in sys.argv[1:]:
        print(json.dumps(describe(image_path)))
