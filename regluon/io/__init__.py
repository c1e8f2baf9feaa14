"""mx.io: data iterators (NDArrayIter, ResizeIter, PrefetchingIter, ImageRecordIter, ...) and batches.

Example
-------
>>> it = mx.io.NDArrayIter(np.zeros((10, 3)), np.arange(10), batch_size=4, last_batch_handle='discard')
>>> [batch.data[0].shape for batch in it]
[(4, 3), (4, 3)]
"""

from .csv_iter import CSVIter
from .image_det_record import ImageDetRecordIter
from .image_record import ImageRecordInt8Iter, ImageRecordIter, ImageRecordUInt8Iter
from .io import DataBatch, DataDesc, DataIter, NDArrayIter, PrefetchingIter, ResizeIter
from .libsvm_iter import LibSVMIter
from .mnist_iter import MNISTIter

__all__ = [
    "DataBatch",
    "DataDesc",
    "DataIter",
    "NDArrayIter",
    "PrefetchingIter",
    "ResizeIter",
    "ImageRecordIter",
    "ImageRecordUInt8Iter",
    "ImageRecordInt8Iter",
    "ImageDetRecordIter",
    "CSVIter",
    "LibSVMIter",
    "MNISTIter",
]
