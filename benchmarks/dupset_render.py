"""Rendered documents and UI screens for benchmarks/dupset.py (Pillow + DejaVu fonts, no photos).

A *template* (document layout) or *app* (window chrome and layout) is fixed by its index; each
*page* or *screen* of it gets different text and content from its own seed. Pages of one template
and screens of one app look alike at a glance but are different captures: hard negatives.
"""

from __future__ import annotations

import random

from dupset_edits import font
from PIL import Image, ImageDraw

WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "for",
    "on",
    "that",
    "by",
    "this",
    "with",
    "from",
    "are",
    "be",
    "as",
    "at",
    "or",
    "an",
    "it",
    "we",
    "all",
    "our",
    "their",
    "report",
    "budget",
    "quarter",
    "meeting",
    "project",
    "office",
    "customer",
    "delivery",
    "invoice",
    "service",
    "total",
    "account",
    "review",
    "design",
    "proposal",
    "schedule",
    "update",
    "policy",
    "payment",
    "order",
    "contract",
    "summary",
    "analysis",
    "result",
    "market",
    "revenue",
    "growth",
    "team",
    "plan",
    "risk",
    "cost",
    "energy",
    "station",
    "river",
    "garden",
    "council",
    "school",
    "library",
    "notice",
    "agreement",
    "period",
    "balance",
    "amount",
    "section",
    "figure",
    "table",
    "reference",
    "method",
    "sample",
    "value",
]

DOC_TEMPLATES = [
    "letter",
    "invoice",
    "report",
    "table",
    "form",
    "slide",
    "code",
    "receipt",
    "twocol",
    "memo",
]
APPS = [
    "files",
    "editor",
    "settings",
    "chat",
    "sheet",
    "mail",
    "music",
    "terminal",
    "calendar",
    "shop",
]


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _para(
    d: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int, width: int, lines: int, size: int
) -> int:
    f = font(size)
    for i in range(lines):
        text = _sentence(rng, 14)
        while d.textlength(text, font=f) > width:
            text = text[: int(len(text) * 0.9)]
        if i == lines - 1:
            text = text[: max(10, len(text) // 2)]
        d.text((x, y), text, font=f, fill=(30, 30, 35))
        y += int(size * 1.5)
    return y + size


def render_document(template: int, page: int, seed: int) -> Image.Image:
    kind = DOC_TEMPLATES[template % len(DOC_TEMPLATES)]
    trng = random.Random(f"{seed}-doc-template-{template}")  # layout: same for all pages
    rng = random.Random(f"{seed}-doc-{template}-{page}")  # content: per page
    W, H = (1024, 640) if kind == "slide" else (792, 1024)
    accent = tuple(trng.randint(20, 160) for _ in range(3))
    img = Image.new("RGB", (W, H), (255, 255, 253) if kind != "code" else (250, 250, 246))
    d = ImageDraw.Draw(img)
    m = trng.randint(50, 80)
    if kind == "slide":
        d.rectangle((0, 0, W, 90), fill=accent)
        d.text((40, 25), _sentence(rng, 4)[:40], font=font(36, True), fill="white")
        y = 130
        for _ in range(rng.randint(4, 6)):
            d.ellipse((50, y + 10, 62, y + 22), fill=accent)
            d.text((80, y), _sentence(rng, 6)[:60], font=font(26), fill=(20, 20, 20))
            y += 70
        d.text((W - 80, H - 40), str(page + 1), font=font(18), fill=(90, 90, 90))
        return img
    # header common to the template
    d.rectangle((m, m, m + 60, m + 60), fill=accent)
    d.text(
        (m + 75, m + 5),
        f"{trng.choice(WORDS).title()} {trng.choice(WORDS).title()} Ltd",
        font=font(22, True),
        fill=accent,
    )
    d.text(
        (m + 75, m + 35),
        f"{trng.randint(1, 99)} {trng.choice(WORDS).title()} Street",
        font=font(14),
        fill=(80, 80, 80),
    )
    y = m + 100
    if kind in ("invoice", "receipt", "table"):
        d.text(
            (m, y),
            f"{kind.upper()} No. {rng.randint(1000, 99999)}",
            font=font(20, True),
            fill=(20, 20, 20),
        )
        y += 40
        cols = [m, m + 330, m + 470, W - m - 110]
        d.rectangle((m, y, W - m, y + 28), fill=accent)
        for c, t in zip(cols, ["Item", "Qty", "Price", "Total"], strict=True):
            d.text((c + 6, y + 5), t, font=font(15, True), fill="white")
        y += 34
        for i in range(rng.randint(8, 22)):
            if i % 2:
                d.rectangle((m, y - 3, W - m, y + 21), fill=(242, 242, 246))
            q, p = rng.randint(1, 9), rng.randint(2, 900)
            for c, t in zip(
                cols,
                [_sentence(rng, 3)[:28], str(q), f"{p}.{rng.randint(0, 99):02d}", f"{q * p}.00"],
                strict=True,
            ):
                d.text((c + 6, y), t, font=font(14), fill=(30, 30, 30))
            y += 24
        d.text(
            (cols[2], y + 20),
            f"Total: {rng.randint(100, 99999)}.{rng.randint(0, 99):02d}",
            font=font(18, True),
            fill=(20, 20, 20),
        )
        return img
    if kind == "code":
        f = font(14)
        for i in range(rng.randint(35, 48)):
            ind = rng.choice([0, 0, 1, 1, 2, 3]) * 28
            line = rng.choice(
                ["def ", "return ", "if ", "for x in ", "self.", "# ", ""]
            ) + "_".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
            line += rng.choice(["(x, y):", " = None", "()", " + 1", ":", ""])
            d.text((m - 30, y), f"{i + 1:3d}", font=f, fill=(150, 150, 150))
            d.text(
                (m + 10 + ind, y),
                line,
                font=f,
                fill=accent if line.startswith(("def", "#")) else (30, 30, 30),
            )
            y += 20
        return img
    if kind == "form":
        for _ in range(rng.randint(7, 11)):
            d.text((m, y), _sentence(rng, 3)[:30] + ":", font=font(15), fill=(30, 30, 30))
            d.rectangle((m + 250, y - 4, W - m, y + 22), outline=(120, 120, 120))
            d.text((m + 258, y), _sentence(rng, 3)[:34], font=font(15), fill=(10, 10, 120))
            y += 50
        d.text(
            (m, H - m - 40),
            "Signature: ____________________   Date: ___________",
            font=font(15),
            fill=(30, 30, 30),
        )
        return img
    title = _sentence(rng, rng.randint(3, 6))
    d.text((m, y), title[:45], font=font(24 if kind == "report" else 18, True), fill=(20, 20, 20))
    y += 50
    if kind == "twocol":
        half = (W - 2 * m - 30) // 2
        y0 = y
        for col in range(2):
            y = y0
            while y < H - m - 80:
                y = _para(d, rng, m + col * (half + 30), y, half, rng.randint(3, 7), 13)
        return img
    while y < H - m - 100:
        if kind == "report" and rng.random() < 0.25:
            h = rng.randint(90, 160)
            d.rectangle((m, y, W - m, y + h), outline=(150, 150, 150))
            vals = [rng.randint(10, h - 10) for _ in range(8)]
            bw = (W - 2 * m) // 10
            for i, v in enumerate(vals):
                d.rectangle(
                    (m + 20 + i * bw, y + h - v, m + 10 + (i + 1) * bw - 8, y + h - 2), fill=accent
                )
            y += h + 20
        y = _para(d, rng, m, y, W - 2 * m, rng.randint(3, 8), 15)
    d.text((W // 2 - 10, H - m + 10), str(page + 1), font=font(13), fill=(90, 90, 90))
    return img


def render_screen(app: int, screen: int, seed: int) -> Image.Image:
    kind = APPS[app % len(APPS)]
    trng = random.Random(f"{seed}-app-{app}")
    rng = random.Random(f"{seed}-screen-{app}-{screen}")
    W, H = 1024, 640
    dark = trng.random() < 0.3
    bg = (38, 40, 46) if dark else (246, 246, 248)
    fg = (225, 225, 230) if dark else (30, 30, 34)
    accent = tuple(trng.randint(40, 220) for _ in range(3))
    img = Image.new("RGB", (W, H), bg)
    d = ImageDraw.Draw(img)
    # desktop panel + window title bar + toolbar: identical for all screens of an app
    d.rectangle((0, 0, W, 26), fill=(20, 20, 24))
    d.text((10, 5), "Activities", font=font(13), fill="white")
    d.text(
        (W - 70, 5),
        f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        font=font(13),
        fill="white",
    )
    d.rectangle((0, 26, W, 66), fill=(55, 57, 64) if dark else (226, 226, 230))
    d.text(
        (W // 2 - 80, 36),
        f"{kind.title()} — {_sentence(rng, 2)[:24]}",
        font=font(15, True),
        fill=fg,
    )
    for i, c in enumerate([(237, 95, 90), (245, 190, 80), (98, 197, 84)]):
        d.ellipse((W - 90 + i * 26, 38, W - 74 + i * 26, 54), fill=c)
    side = 0
    if kind in ("files", "mail", "settings", "music", "chat", "shop"):
        side = 220
        d.rectangle((0, 66, side, H), fill=(48, 50, 56) if dark else (236, 236, 240))
        for i, name in enumerate(trng.sample(WORDS, 12)):
            sel = i == rng.randint(0, 11)
            if sel:
                d.rectangle((6, 76 + i * 34, side - 6, 104 + i * 34), fill=accent)
            d.text((20, 82 + i * 34), name.title(), font=font(14), fill="white" if sel else fg)
    x0, y0 = side + 20, 86
    if kind == "files" or kind == "shop":
        for r in range(4):
            for c in range(6):
                x, y = x0 + c * 128, y0 + r * 135
                col = tuple(rng.randint(30, 230) for _ in range(3))
                d.rounded_rectangle(
                    (x, y, x + 96, y + 84), 8, fill=col if kind == "shop" else accent
                )
                d.text((x, y + 92), _sentence(rng, 1)[:12], font=font(12), fill=fg)
                if kind == "shop":
                    d.text((x, y + 108), f"€{rng.randint(3, 400)}", font=font(12, True), fill=fg)
    elif kind in ("editor", "terminal"):
        if kind == "terminal":
            img.paste((12, 12, 14), (0, 66, W, H))
        f = font(14)
        for i in range(26):
            line = ("$ " if kind == "terminal" and rng.random() < 0.3 else "") + " ".join(
                rng.choice(WORDS) for _ in range(rng.randint(1, 9))
            )
            d.text(
                (x0, y0 + i * 21), line, font=f, fill=(80, 220, 90) if kind == "terminal" else fg
            )
    elif kind in ("sheet", "calendar"):
        cw, rh = (110, 26) if kind == "sheet" else (136, 88)
        for r in range((H - y0) // rh):
            for c in range((W - x0) // cw):
                d.rectangle(
                    (x0 + c * cw, y0 + r * rh, x0 + (c + 1) * cw, y0 + (r + 1) * rh),
                    outline=(150, 150, 160),
                )
                if kind == "sheet" and rng.random() < 0.7:
                    d.text(
                        (x0 + c * cw + 6, y0 + r * rh + 5),
                        str(rng.randint(0, 9999)),
                        font=font(13),
                        fill=fg,
                    )
                elif kind == "calendar":
                    d.text(
                        (x0 + c * cw + 6, y0 + r * rh + 4),
                        str(r * 7 + c + 1),
                        font=font(13),
                        fill=fg,
                    )
                    if rng.random() < 0.3:
                        d.rectangle(
                            (
                                x0 + c * cw + 6,
                                y0 + r * rh + 30,
                                x0 + (c + 1) * cw - 6,
                                y0 + r * rh + 52,
                            ),
                            fill=accent,
                        )
    else:  # mail, settings, music, chat: rows of items
        for i in range(11):
            y = y0 + i * 48
            if kind == "chat":
                right = rng.random() < 0.5
                t = _sentence(rng, rng.randint(3, 9))[:50]
                tw = d.textlength(t, font=font(14)) + 24
                x = W - 30 - tw if right else x0
                d.rounded_rectangle(
                    (x, y, x + tw, y + 36),
                    12,
                    fill=accent if right else ((70, 72, 80) if dark else (225, 225, 232)),
                )
                d.text((x + 12, y + 9), t, font=font(14), fill="white" if right else fg)
                continue
            d.line((x0, y + 44, W - 20, y + 44), fill=(90, 90, 100) if dark else (215, 215, 220))
            d.text(
                (x0, y + 6),
                _sentence(rng, rng.randint(2, 6))[:48],
                font=font(15, kind == "mail"),
                fill=fg,
            )
            d.text((x0, y + 25), _sentence(rng, 8)[:70], font=font(11), fill=(130, 130, 140))
            if kind == "settings":
                on = rng.random() < 0.5
                d.rounded_rectangle(
                    (W - 80, y + 10, W - 30, y + 34), 12, fill=accent if on else (150, 150, 150)
                )
                d.ellipse(
                    (W - 54 if on else W - 78, y + 12, W - 32 if on else W - 56, y + 32),
                    fill="white",
                )
            if kind == "music":
                d.text(
                    (W - 80, y + 12),
                    f"{rng.randint(1, 7)}:{rng.randint(0, 59):02d}",
                    font=font(13),
                    fill=fg,
                )
    return img
