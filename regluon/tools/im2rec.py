"""``python -m regluon.tools.im2rec``: make image lists (``.lst``) and pack images into RecordIO files.

The command line and file formats are those of MXNet's ``tools/im2rec.py``; decoding, resizing
and encoding use Pillow and regluon's OpenCV-rule bilinear resize instead of OpenCV.

Make a list of the images under ``root`` (one label per sub-directory with ``--recursive``)::

    python -m regluon.tools.im2rec --list --recursive data/train images/

then pack every ``data/train*.lst`` into ``.rec`` + ``.idx``::

    python -m regluon.tools.im2rec --resize 256 --quality 90 data/train images/

A ``.lst`` line is ``index<TAB>label[<TAB>label...]<TAB>relative/path``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from concurrent.futures import ThreadPoolExecutor

from ..base import MXNetError


def list_image(root: str, recursive: bool, exts):
    """Yield ``(index, relative path, label)`` for the images under ``root`` in sorted order.

    With ``recursive`` every directory holding images gets the next label, in walk order (and the
    mapping is printed); otherwise only ``root``'s own files are listed, all with label 0.
    """
    exts = {e.lower() for e in exts}
    i = 0
    if recursive:
        cat: dict[str, int] = {}
        for path, dirs, files in os.walk(root, followlinks=True):
            dirs.sort()
            for fname in sorted(files):
                fpath = os.path.join(path, fname)
                if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
                    if path not in cat:
                        cat[path] = len(cat)
                    yield (i, os.path.relpath(fpath, root), cat[path])
                    i += 1
        for path, label in sorted(cat.items(), key=lambda kv: kv[1]):
            print(os.path.relpath(path, root), label)
        return
    for fname in sorted(os.listdir(root)):
        fpath = os.path.join(root, fname)
        if os.path.isfile(fpath) and os.path.splitext(fname)[1].lower() in exts:
            yield (i, os.path.relpath(fpath, root), 0)
            i += 1


def write_list(path_out: str, image_list) -> None:
    """Write ``(index, path, label...)`` items as ``.lst`` lines (labels with six decimals)."""
    with open(path_out, "w") as fout:
        for item in image_list:
            labels = "\t".join(f"{float(j):f}" for j in item[2:])
            fout.write(f"{item[0]}\t{labels}\t{item[1]}\n")


def make_list(args) -> None:
    """Split the image list into chunks and train/val/test parts and write the ``.lst`` files."""
    image_list = list(list_image(args.root, args.recursive, args.exts))
    if args.shuffle:
        random.seed(100)
        random.shuffle(image_list)
    n = len(image_list)
    chunk_size = (n + args.chunks - 1) // args.chunks
    for i in range(args.chunks):
        chunk = image_list[i * chunk_size : (i + 1) * chunk_size]
        suffix = f"_{i}" if args.chunks > 1 else ""
        sep = int(chunk_size * args.train_ratio)
        sep_test = int(chunk_size * args.test_ratio)
        if args.train_ratio == 1.0:
            write_list(args.prefix + suffix + ".lst", chunk)
            continue
        if args.test_ratio:
            write_list(args.prefix + suffix + "_test.lst", chunk[:sep_test])
        if args.train_ratio + args.test_ratio < 1.0:
            write_list(args.prefix + suffix + "_val.lst", chunk[sep_test + sep :])
        write_list(args.prefix + suffix + "_train.lst", chunk[sep_test : sep_test + sep])


def read_list(path_in: str):
    """Yield ``[index, path, label, ...]`` for each line of a ``.lst`` file.

    Every line needs an index, at least one label and a path, and all lines the same number of
    fields; anything else raises ``MXNetError`` naming the file and the line.
    """
    width = None
    with open(path_in) as fin:
        for lineno, raw in enumerate(fin, 1):
            if not raw.strip():
                continue
            fields = [f.strip() for f in raw.strip().split("\t")]
            if len(fields) < 3 or (width is not None and len(fields) != width):
                expected = "at least 3" if width is None else str(width)
                raise MXNetError(
                    f"{path_in}, line {lineno}: expected {expected} tab-separated fields "
                    f"(index, label(s), path), got {len(fields)}: {raw.rstrip()!r}"
                )
            width = len(fields)
            try:
                yield [int(fields[0]), fields[-1]] + [float(f) for f in fields[1:-1]]
            except ValueError:
                raise MXNetError(
                    f"{path_in}, line {lineno}: the index must be an integer and the labels numbers: {raw.rstrip()!r}"
                ) from None


def _load(args, fullpath: str):
    from ..image.codec import decode_to_numpy
    from ..image.image import resize_array as resize

    with open(fullpath, "rb") as f:
        data = f.read()
    img = decode_to_numpy(data, args.color, rgb=False, where=f'im2rec("{fullpath}")')
    if args.center_crop:
        h, w = img.shape[:2]
        if h > w:
            margin = (h - w) // 2
            img = img[margin : margin + w]
        else:
            margin = (w - h) // 2
            img = img[:, margin : margin + h]
    if args.resize:
        h, w = img.shape[:2]
        if h > w:
            new_w, new_h = args.resize, h * args.resize // w
        else:
            new_w, new_h = w * args.resize // h, args.resize
        img = resize(img, new_w, new_h, 1)
    return img


def image_encode(args, item) -> bytes:
    """The packed record for one ``.lst`` item (header label(s) plus the encoded image)."""
    from .. import recordio

    fullpath = os.path.join(args.root, item[1])
    label = item[2:] if (len(item) > 3 and args.pack_label) else item[2]
    header = recordio.IRHeader(0, label, item[0], 0)
    if args.pass_through:
        try:
            with open(fullpath, "rb") as f:
                return recordio.pack(header, f.read())
        except OSError as err:
            raise MXNetError(f'im2rec: cannot read "{fullpath}": {err.strerror}') from None
    try:
        img = _load(args, fullpath)
    except OSError as err:
        raise MXNetError(f'im2rec: cannot read "{fullpath}": {err.strerror}') from None
    return recordio.pack_img(header, img, quality=args.quality, img_fmt=args.encoding)


def pack_list(args, lst_path: str) -> str:
    """Pack the images of one ``.lst`` file into ``<name>.rec`` and ``<name>.idx``; returns the .rec path."""
    from .. import recordio

    items = list(read_list(lst_path))
    base = os.path.splitext(lst_path)[0]
    rec = recordio.MXIndexedRecordIO(base + ".idx", base + ".rec", "w")
    try:
        if args.num_thread > 1:
            with ThreadPoolExecutor(args.num_thread) as pool:
                packed = pool.map(lambda it: image_encode(args, it), items)
                for item, s in zip(items, packed):
                    rec.write_idx(item[0], s)
        else:
            for item in items:
                rec.write_idx(item[0], image_encode(args, item))
    finally:
        rec.close()
    return base + ".rec"


def _bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes"):
        return True
    if text.lower() in ("0", "false", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected True or False, got {text!r}")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Create an image list or pack images into a RecordIO file (MXNet's im2rec).",
    )
    parser.add_argument("prefix", help="prefix of the input/output .lst and .rec files")
    parser.add_argument("root", help="folder the image paths are relative to")
    cgroup = parser.add_argument_group("Options for creating image lists")
    cgroup.add_argument("--list", action="store_true", help="make a .lst file instead of packing")
    cgroup.add_argument(
        "--exts", nargs="+", default=[".jpeg", ".jpg", ".png"], help="image extensions to list"
    )
    cgroup.add_argument("--chunks", type=int, default=1, help="number of chunks")
    cgroup.add_argument("--train-ratio", type=float, default=1.0, help="share of images for training")
    cgroup.add_argument("--test-ratio", type=float, default=0, help="share of images for testing")
    cgroup.add_argument("--recursive", action="store_true", help="one label per sub-folder")
    cgroup.add_argument("--no-shuffle", dest="shuffle", action="store_false", help="keep the sorted order")
    cgroup.add_argument(
        "--shuffle", dest="shuffle", type=_bool, default=True, help="shuffle the list (seed 100)"
    )
    rgroup = parser.add_argument_group("Options for creating database")
    rgroup.add_argument("--pass-through", action="store_true", help="store the image files' bytes unchanged")
    rgroup.add_argument("--resize", type=int, default=0, help="resize the shorter edge to this size")
    rgroup.add_argument("--center-crop", action="store_true", help="crop the centre square first")
    rgroup.add_argument("--quality", type=int, default=95, help="JPEG quality, or PNG compression level")
    rgroup.add_argument("--num-thread", type=int, default=1, help="threads that encode images")
    rgroup.add_argument(
        "--color", type=int, default=1, choices=[-1, 0, 1], help="1 colour, 0 grey, -1 unchanged"
    )
    rgroup.add_argument(
        "--encoding", type=str, default=".jpg", choices=[".jpg", ".png"], help="image encoding"
    )
    rgroup.add_argument("--pack-label", action="store_true", help="store every label column of the .lst file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    args.prefix = os.path.abspath(args.prefix)
    args.root = os.path.abspath(args.root)
    try:
        if args.list:
            make_list(args)
            return 0
        working_dir = args.prefix if os.path.isdir(args.prefix) else os.path.dirname(args.prefix)
        lists = sorted(
            os.path.join(working_dir, f)
            for f in os.listdir(working_dir)
            if os.path.isfile(os.path.join(working_dir, f))
        )
        lists = [f for f in lists if f.startswith(args.prefix) and f.endswith(".lst")]
        if not lists:
            print(f"im2rec: no .lst file starts with {args.prefix}", file=sys.stderr)
            return 1
        for lst in lists:
            print("Creating .rec file from", lst, "in", working_dir)
            pack_list(args, lst)
    except MXNetError as err:
        print(f"im2rec: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
