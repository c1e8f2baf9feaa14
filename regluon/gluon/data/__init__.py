"""``gluon.data``: datasets, samplers and the DataLoader."""

from .dataloader import DataLoader, default_batchify_fn
from .dataset import ArrayDataset, Dataset, SimpleDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = [
    "Dataset",
    "SimpleDataset",
    "ArrayDataset",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "BatchSampler",
    "DataLoader",
    "default_batchify_fn",
]
