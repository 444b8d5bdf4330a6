"""Candidate bursts/reshoots among the Oxford photos, for judging by eye (feeds dupset.BURSTS).

    python benchmarks/dupset_bursts.py --top 80 --sheets /work/data/look/bursts

Embeds all 1009 Oxford5k-subset photos with the shipped model (core.embedder), lists the most
similar pairs by cosine, and writes one side-by-side PNG per pair (name = rank). A person then looks
at each and records in dupset.BURSTS only the pairs that are different exposures of one scene
(moved people, shifted framing, changed light), never the same exposure edited.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from core.decode import load_rgb, model_pixels  # noqa: E402
from core.embedder import Embedder, load_manifest  # noqa: E402

OXFORD = REPO.parent / "shared" / "benchdata" / "oxford5k_subset" / "images"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=80)
    ap.add_argument("--sheets", type=Path, required=True)
    ap.add_argument(
        "--adjacent",
        type=int,
        default=0,
        help="only pairs with one name prefix whose numbers differ by at most this (same uploader)",
    )
    a = ap.parse_args()
    info = load_manifest(REPO / "resources" / "models")
    emb = Embedder(info, device="cpu", threads=2)
    files = sorted(OXFORD.glob("*.jpg"))
    vecs = []
    for i in range(0, len(files), 32):
        batch = np.stack([model_pixels(load_rgb(f), info.size) for f in files[i : i + 32]])
        vecs.append(emb.embed(batch))
    v = np.concatenate(vecs)
    sim = v @ v.T
    np.fill_diagonal(sim, -1)
    iu = np.triu_indices(len(files), 1)
    if a.adjacent:
        pre = [f.stem.rsplit("_", 1) for f in files]
        near = np.array(
            [
                pre[i][0] == pre[j][0] and abs(int(pre[i][1]) - int(pre[j][1])) <= a.adjacent
                for i, j in zip(*iu, strict=True)
            ]
        )
        sim[iu[0][~near], iu[1][~near]] = -1
    order = np.argsort(-sim[iu])[: a.top]
    a.sheets.mkdir(parents=True, exist_ok=True)
    for rank, k in enumerate(order):
        i, j = iu[0][k], iu[1][k]
        ims = [Image.open(files[x]).convert("RGB") for x in (i, j)]
        h = 480
        ims = [im.resize((round(im.width * h / im.height), h)) for im in ims]
        sheet = Image.new("RGB", (ims[0].width + ims[1].width + 10, h + 20), "white")
        sheet.paste(ims[0], (0, 20))
        sheet.paste(ims[1], (ims[0].width + 10, 20))
        d = ImageDraw.Draw(sheet)
        d.text(
            (4, 4), f"{rank} {files[i].stem}  {files[j].stem}  cos {sim[i, j]:.3f}", fill="black"
        )
        sheet.save(a.sheets / f"{rank:03d}.png")
        print(rank, files[i].stem, files[j].stem, f"{sim[i, j]:.3f}")


if __name__ == "__main__":
    main()
