"""Record what every figure a notebook shows is drawn from.

nbval compares text outputs but not images, so a figure drawn from a training run
could change from one floating-point configuration to the next without any test
seeing it. The portability check (`tools/portability/run.py`) starts every nbval
kernel with this file as an IPython startup script. Each time the inline backend
renders a figure, the figure's content is appended, as one JSON line, to
`$RNNCOURSE_FIGURE_DIR/<notebook>.jsonl`: every line, scatter, filled area, bar and
image in axes coordinates (the fraction of the axes' width and height, so that a
difference is measured as the reader sees it, on linear and log axes alike), and
every piece of text (titles, labels, tick labels, legend entries, annotations).

The file defines no names in the notebook's namespace and prints nothing.
"""

from __future__ import annotations


def _install() -> None:
    import json
    import os
    from pathlib import Path

    folder = os.environ.get("RNNCOURSE_FIGURE_DIR")
    notebook = os.environ.get("RNNCOURSE_NOTEBOOK")
    if not folder or not notebook:
        return
    import numpy as np
    from matplotlib.backend_bases import FigureCanvasBase

    out = Path(folder) / f"{Path(notebook).stem}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)

    def rounded(array) -> list:
        # Non-finite values are drawn as gaps; they are recorded as None.
        array = np.asarray(array, dtype=float)
        return np.where(np.isfinite(array), np.round(array, 5), None).tolist()

    def points(ax, xy) -> list:
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        with np.errstate(all="ignore"):
            return rounded((ax.transScale + ax.transLimits).transform(xy))

    def texts(artist) -> list[str]:
        from matplotlib.text import Text

        return [t.get_text() for t in artist.findobj(Text) if t.get_visible() and t.get_text()]

    def describe(fig) -> dict:
        axes = []
        for ax in fig.axes:
            entry: dict = {"texts": texts(ax), "lines": [], "collections": [], "patches": [], "images": []}
            for line in ax.get_lines():
                entry["lines"].append(points(ax, line.get_xydata()))
            for coll in ax.collections:
                offsets = coll.get_offsets()
                shapes = [points(ax, path.vertices) for path in coll.get_paths()]
                entry["collections"].append({"offsets": points(ax, offsets), "paths": shapes})
            for patch in ax.patches:
                verts = patch.get_path().vertices
                data_xy = patch.get_patch_transform().transform(verts)
                entry["patches"].append(points(ax, data_xy))
            for image in ax.get_images():
                array = np.ma.masked_invalid(np.asarray(image.get_array(), dtype=float))
                norm = image.norm
                entry["images"].append(rounded(np.ma.filled(norm(array), np.nan)))
            axes.append(entry)
        return {"texts": texts(fig), "axes": axes}

    original = FigureCanvasBase.print_figure

    def print_figure(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        try:
            record = describe(self.figure)
        except Exception as err:  # a figure the recorder cannot read is itself recorded
            record = {"error": f"{type(err).__name__}: {err}"}
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, allow_nan=False, default=str) + "\n")
        return result

    FigureCanvasBase.print_figure = print_figure


_install()
del _install
