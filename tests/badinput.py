"""A directory holding one of every bad-input case, beside good items (used by several tests)."""

from __future__ import annotations

import json
import random
from pathlib import Path

# file name -> (rejection code, locator)
EXPECTED_REJECTIONS = {
    "photo.txt": ("E102", ""),
    "empty.txt": ("E104", ""),
    "mystery.txt": ("E103", ""),
    "broken.html": ("E106", ""),
    "feed.jsonl": ("E107", "2"),
    "nocolumn.csv": ("E109", ""),
    "gone.txt": ("E101", ""),
    "huge.txt": ("E105", ""),
}
GOOD_ARTICLES = 4  # good.txt, good.csv row, feed.jsonl lines 1 and 3
SIZE_LIMIT = 5000  # passed as ingest.max_file_bytes


def make_bad_input_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    (root / "good.txt").write_text("Kenya and Uganda agreed on Friday to build a new rail link.\n")
    (root / "good.csv").write_text("id,text\nc1,Peru recalled its ambassador from Bolivia.\n")
    (root / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (root / "empty.txt").write_bytes(b"")
    (root / "mystery.txt").write_bytes(
        bytes(
            rng.choice([rng.randrange(0x80, 0x100), rng.randrange(0x41, 0x5B)]) for _ in range(400)
        )
    )
    (root / "broken.html").write_text(
        "<html><body><div><p></div></span><<<>>><script>x</script></html>"
    )
    lines = [
        json.dumps({"id": "j1", "text": "Chile praised Argentina."}),
        '{"id": "j2", "text": "unterminated',
        json.dumps({"id": "j3", "text": "Vietnam hosted Laos."}),
    ]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n")
    (root / "nocolumn.csv").write_text("id,body\n1,Text in the wrong column.\n")
    (root / "gone.txt").symlink_to(root / "does-not-exist.txt")
    (root / "huge.txt").write_text("Talks continued. " * (SIZE_LIMIT // 17 + 10))
    return root


class NoAnnotator:
    """Stands in for pipeline.Annotator: no spaCy, no coding (tests of ingest and store)."""

    def __init__(self, settings: object, *, parser: object = None) -> None:
        self.parser = self
        self.sentences = self.skipped = 0

    def submit(self, fresh: object) -> None:
        return None

    def poll(self) -> None:
        pass

    def annotate(
        self, fresh: object, batch: object, *, strict: bool, submission: object = None
    ) -> None:
        pass

    def close(self) -> None:
        pass
