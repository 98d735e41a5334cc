"""Builds the training test's datasets from the fetched photos (nothing here is committed):

  train/obama     obama.jpg, obama2.jpg            x augmentations
  train/biden     biden.jpg                        x augmentations
  train/Unknown   five of the six faces in group-t1.jpg x augmentations (the trained stranger class)
  holdout/obama   obama3.jpg, a photo never trained on, x augmentations
  holdout/biden   biden.jpg with augmentation parameters never used in training
  strangers/astronaut   astronaut.png, a person the model never saw
  strangers/group       the sixth group-t1.jpg face, also never trained on

Augmentations: mirror, crops, scale, brightness, contrast, small rotations, JPEG re-encoding.
Usage: make_dataset.py PHOTOS_DIR OUT_DIR
"""

import os
import random
import sys

from PIL import Image, ImageEnhance

PHOTOS, OUT = sys.argv[1], sys.argv[2]
# Face boxes (left, top, right, bottom) of the six people in group-t1.jpg, from `zmface detect`.
GROUP_FACES = [(1118, 283, 1226, 390), (67, 283, 175, 390), (724, 367, 832, 474), (450, 295, 557, 402),
               (870, 67, 999, 196), (275, 176, 364, 265)]


def load(name, max_side=800):
    image = Image.open(os.path.join(PHOTOS, name)).convert("RGB")
    scale = max_side / max(image.size)
    if scale < 1:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
    return image


def face_crop(image, box, margin=1.0, upscale=3):
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    region = image.crop((max(0, left - w * margin), max(0, top - h * margin),
                         min(image.width, right + w * margin), min(image.height, bottom + h * margin)))
    return region.resize((region.width * upscale, region.height * upscale), Image.LANCZOS)


def augment(image, rng, count):
    variants = []
    for index in range(count):
        out = image
        if index % 2 == 1:
            out = out.transpose(Image.FLIP_LEFT_RIGHT)
        w, h = out.size
        dx, dy = rng.uniform(0, 0.12) * w, rng.uniform(0, 0.12) * h
        out = out.crop((dx, dy, w - rng.uniform(0, 0.12) * w, h - rng.uniform(0, 0.12) * h))
        scale = rng.uniform(0.6, 1.1)
        out = out.resize((max(64, round(out.width * scale)), max(64, round(out.height * scale))), Image.BILINEAR)
        out = ImageEnhance.Brightness(out).enhance(rng.uniform(0.65, 1.35))
        out = ImageEnhance.Contrast(out).enhance(rng.uniform(0.75, 1.25))
        out = out.rotate(rng.uniform(-8, 8), resample=Image.BILINEAR, expand=False, fillcolor=(128, 128, 128))
        variants.append((out, rng.randint(35, 95)))
    return variants


def write(folder, name, variants):
    path = os.path.join(OUT, folder)
    os.makedirs(path, exist_ok=True)
    for index, (image, quality) in enumerate(variants):
        image.save(os.path.join(path, f"{name}-{index:02d}.jpg"), quality=quality)


def main():
    train, holdout = random.Random(1), random.Random(2)
    for name in ("obama.jpg", "obama2.jpg"):
        write("train/obama", name[:-4], augment(load(name), train, 10))
    write("train/biden", "biden", augment(load("biden.jpg"), train, 16))
    group = Image.open(os.path.join(PHOTOS, "group-t1.jpg")).convert("RGB")
    for index, box in enumerate(GROUP_FACES[:5]):
        write("train/Unknown", f"group{index}", augment(face_crop(group, box), train, 5))
    write("holdout/obama", "obama3", augment(load("obama3.jpg"), holdout, 8))
    write("holdout/biden", "biden", augment(load("biden.jpg"), holdout, 6))
    astronaut = Image.open(os.path.join(PHOTOS, "astronaut.png")).convert("RGB").crop((60, 0, 400, 300))
    write("strangers/astronaut", "astronaut", augment(astronaut.resize((680, 600)), holdout, 5))
    write("strangers/group", "group5", augment(face_crop(group, GROUP_FACES[5]), holdout, 5))


if __name__ == "__main__":
    main()
