"""Memory stays flat whatever an event's length: frames are decoded and recognised one by one, with
at most the workers' frames plus two decoded ahead alive (FrameWindow), never the whole event.
What must hold: a 1080p video-only event of 150 frames with every frame selected (`frames.select
all`, `maxPerEvent 0`; 900 MB of RGB if decoded whole) peaks within 150 MB of a 10-frame event of the
same size, and every frame is stored."""

import json
import subprocess
import time

from zmfixture import frames_from
from zmface_run import ROOT, ZMFACE, rows, worker_json

FULL_HD = (1920, 1080)


def peak_rss_mib(config):
    """`zmface ingest --once` run to the end, its resident memory sampled every 50 ms: the peak."""
    process = subprocess.Popen([str(ZMFACE), "ingest", "--once", "--config", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak = 0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        peak = max(peak, int(line.split()[1]))
        except FileNotFoundError:
            break
        time.sleep(0.05)
    stderr = process.communicate()[1]
    assert process.returncode == 0, stderr
    return peak / 1024


def config_for(zm, pgurl, tmp_path, model):
    path = worker_json(zm, pgurl, tmp_path, model=model, frames={"select": "all", "maxPerEvent": 0})
    config = json.loads(path.read_text())
    # Upsample 0: this test is about memory, and 1080p frames are large enough to find these faces.
    config["recognition"] = {"upsample": 0}
    path.write_text(json.dumps(config))
    return path


def test_a_long_full_hd_event_with_every_frame_selected_keeps_memory_flat(
        zm, pgurl, postgres, tmp_path, hostile_model):
    zm.add_monitor(1, "Front", width=FULL_HD[0], height=FULL_HD[1])
    short = zm.create_event(1, "Medium", frames_from(["obama.jpg", "blank"], 10, size=FULL_HD), jpegs=False,
                            video=True, alarm=set(range(1, 11)))
    short_url = pgurl
    short_peak = peak_rss_mib(config_for(zm, short_url, tmp_path, hostile_model))
    assert rows(short_url, "SELECT count(*) FROM frames WHERE event_id=%s", (short.id,))[0][0] == 10

    long = zm.create_event(1, "Medium", frames_from(["obama.jpg", "blank"], 150, size=FULL_HD), jpegs=False,
                           video=True, alarm=set(range(1, 151)))
    long_url = postgres.fresh_database()
    long_peak = peak_rss_mib(config_for(zm, long_url, tmp_path, hostile_model))
    stored = rows(long_url, "SELECT count(*), count(*) FILTER (WHERE error IS NULL) FROM frames WHERE event_id=%s",
                  (long.id,))[0]
    assert stored == (150, 150), stored
    named = rows(long_url, "SELECT count(*) FROM detections WHERE event_id=%s AND name IS NOT NULL", (long.id,))[0][0]
    assert named >= 60, f"{named} of the 75 Obama frames named"
    print(f"peak RSS: 10-frame event {short_peak:.0f} MiB, 150-frame event {long_peak:.0f} MiB "
          f"(150 frames of 1920x1080 RGB would be {150 * 1920 * 1080 * 3 / 2**20:.0f} MiB)")
    assert long_peak - short_peak < 150, (short_peak, long_peak)
