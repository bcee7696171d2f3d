"""MkDocs hooks of the gojammy site (mkdocs.yml: hooks).

* Links from the pages to repository files outside docs/ (``../include/gojammy.h``) point to the
  repository on GitHub, so that ``mkdocs build --strict`` still reports every broken link
  between pages.
* ``reference/c.md``: the marker ``<!-- c-header-reference -->`` becomes the reference of
  ``include/gojammy.h``: every ``gj_`` function, type and macro with the comment above it.
* ``gallery.md``: the marker ``<!-- gallery -->`` becomes the pictures that ``make examples``
  wrote into build/ (or $GOJAMMY_GALLERY_DIR; copied into the site), and says how to make the
  missing ones.
"""

import os
import pathlib
import re

from mkdocs.structure.files import File

ROOT = pathlib.Path(__file__).resolve().parents[1]
# where `make examples` writes the pictures ($GOJAMMY_GALLERY_DIR for another folder)
BUILD = pathlib.Path(os.environ.get("GOJAMMY_GALLERY_DIR", ROOT / "build"))
BLOB = "https://github.com/gojammy/gojammy/blob/main/"

#: The gallery: (picture in build/, caption, the example that draws it).
GALLERY = [
    ("quickstart.png", "Corner plot of the quickstart's trained 10-d PDF on R⁴ × S² × R⁴ (visualize_pdf)", "examples/quickstart.py"),
    ("quickstart_sky.png", "Sky map of its S² part: Mollweide and gnomonic zoom (plot_sky)", "examples/quickstart.py"),
    ("quickstart_training.png", "Its training curves (plot_training_history)", "examples/quickstart.py"),
    ("s2_posterior_sky.png", "A conditional direction posterior for one event, 50 % and 90 % regions, true direction", "examples/s2_posterior.py"),
    ("s2_posterior_coverage.png", "Calibration of that posterior on held-out events (plot_coverage)", "examples/s2_posterior.py"),
    ("s2_posterior_training.png", "Its training curves", "examples/s2_posterior.py"),
    ("cpp_deployment.png", "A density trained in Python and evaluated by a C++ program", "examples/cpp_deployment.py"),
]


def _repository_links(markdown, page_dir):
    """Rewrite relative links that leave docs/ into links to the repository on GitHub."""
    docs = ROOT / "docs"

    def rewrite(m):
        target = (page_dir / m.group(1)).resolve()
        if docs in target.parents or target == docs:
            return m.group(0)
        return f"]({BLOB}{target.relative_to(ROOT).as_posix()}"

    return re.sub(r"\]\(((?:\.\./)+[^)#\s]+)", rewrite, markdown)


def c_header_reference(header_text):
    """Markdown reference of a C header: its opening comment (the conventions), then each
    declaration of a gj_ function, struct, enum or GJ_ macro under its own heading, with the
    comment block right above it."""
    opening = re.match(r"\s*/\*(.*?)\*/", header_text, re.S)
    out = []
    if opening:
        text = "\n".join(re.sub(r"^\s*\* ?", "", line) for line in opening.group(1).splitlines())
        out.append("## Conventions\n\n```text\n" + text.strip() + "\n```\n\n## Declarations\n")
    comment = []
    lines = header_text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("/*"):
            block = [line]
            while "*/" not in lines[i]:
                i += 1
                block.append(lines[i])
            comment = [re.sub(r"^\s*(/\*+|\*/|\*)\s?", "", b).replace("*/", "").rstrip() for b in block]
            i += 1
            continue
        m = re.match(r"(?:int|typedef struct|typedef int \(\*|enum)\s*(gj_\w+)|#define\s+(GJ_\w+)", stripped)
        if m:
            name = m.group(1) or m.group(2)
            decl = [line]
            if stripped.startswith("#define"):
                while lines[i].rstrip().endswith("\\") and i + 1 < len(lines):
                    i += 1
                    decl.append(lines[i])
            else:
                while not re.search(r"[;{]\s*$", lines[i]) and i + 1 < len(lines):
                    i += 1
                    decl.append(lines[i])
                if lines[i].rstrip().endswith("{"):  # a struct or enum: its body up to the closing brace
                    while not lines[i].lstrip().startswith("}") and i + 1 < len(lines):
                        i += 1
                        decl.append(lines[i])
            out.append(f"### `{name}`\n")
            out.append("```c\n" + "\n".join(decl).strip() + "\n```\n")
            text = "\n".join(c for c in comment).strip()
            if text:
                out.append(text.replace("<", "&lt;") + "\n")
            comment = []
        elif stripped and not stripped.startswith("//"):
            comment = []
        i += 1
    return "\n".join(out)


def _gallery(files_present):
    parts = []
    for name, caption, script in GALLERY:
        if name in files_present:
            parts.append(f"### {caption}\n\n![{caption}](gallery/{name})\n\nDrawn by [`{script}`]({BLOB}{script}).\n")
        else:
            parts.append(f"### {caption}\n\n*Not built yet: run `make examples` (draws it into build/{name}) "
                         f"and rebuild the site.*\n")
    return "\n".join(parts)


def on_files(files, config):
    """Add the example pictures found in build/ to the site as gallery/<name>."""
    present = set()
    for name, _, _ in GALLERY:
        if (BUILD / name).exists():
            files.append(File.generated(config, f"gallery/{name}", abs_src_path=str(BUILD / name)))
            present.add(name)
    config["gojammy_gallery"] = present
    return files


def on_page_markdown(markdown, page, config, files):
    """Repository links, the C reference and the gallery."""
    markdown = _repository_links(markdown, (ROOT / "docs" / page.file.src_uri).parent)
    if "<!-- c-header-reference -->" in markdown:
        markdown = markdown.replace("<!-- c-header-reference -->", c_header_reference((ROOT / "include" / "gojammy.h").read_text()))
    if "<!-- gallery -->" in markdown:
        markdown = markdown.replace("<!-- gallery -->", _gallery(config.get("gojammy_gallery", set())))
    return markdown
