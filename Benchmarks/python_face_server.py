"""The original smart-zoneminder face server's detect_faces (seed-spec.md §4), for side-by-side
benchmarks: zerorpc 0.6.3, face_recognition on dlib, OpenCV for decoding and the blur gate. No
classifier pickle is loaded (there is none to load here), so found faces answer face=None like a
zmface server without a model; every other step is the original's, in the original's order,
including re-reading the image for every person label.

Usage: python_face_server.py ENDPOINT [--model hog|cnn] [--upsample N] [--jitters N]
"""

import argparse
import json

import cv2
import face_recognition
import zerorpc


class DetectRPC(object):
    def __init__(self, model, upsample, jitters, min_face=20, focus_threshold=200):
        self.model, self.upsample, self.jitters = model, upsample, jitters
        self.min_face, self.focus_threshold = min_face, focus_threshold

    def detect_faces(self, test_image_paths):
        objects_detected_faces = []
        for obj in test_image_paths:
            for label in obj["labels"]:
                if label["name"] != "person":
                    continue
                img = cv2.imread(obj["image"])
                if img is None:
                    label["face"] = None
                    continue
                box = label["box"]
                roi = img[int(box["ymin"]):int(box["ymax"]), int(box["xmin"]):int(box["xmax"])]
                if roi.size == 0:
                    label["face"] = None
                    continue
                rgb = cv2.cvtColor(roi, cv2.COLOR_BGR2RGB)
                detections = face_recognition.face_locations(rgb, number_of_times_to_upsample=self.upsample,
                                                             model=self.model)
                if not detections:
                    label["face"] = None
                    continue
                top, right, bottom, left = detections[0]
                face = roi[top:bottom, left:right]
                if face.shape[0] < self.min_face or face.shape[1] < self.min_face:
                    label["face"] = None
                    continue
                focus = cv2.Laplacian(cv2.cvtColor(face, cv2.COLOR_BGR2GRAY), cv2.CV_64F).var()
                if focus < self.focus_threshold:
                    label["face"] = None
                    continue
                face_recognition.face_encodings(rgb, known_face_locations=[detections[0]],
                                                num_jitters=self.jitters)[0]
                label["face"] = None  # no classifier: the original would call predict_proba here
            objects_detected_faces.append(obj)
        return json.dumps(objects_detected_faces)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("endpoint")
    parser.add_argument("--model", default="hog")
    parser.add_argument("--upsample", type=int, default=1)
    parser.add_argument("--jitters", type=int, default=1)
    options = parser.parse_args()
    # heartbeat=60000 as the original passed it (seconds: it never heartbeats).
    server = zerorpc.Server(DetectRPC(options.model, options.upsample, options.jitters), heartbeat=60000)
    server.bind(options.endpoint)
    print("python face server listening", flush=True)
    server.run()
