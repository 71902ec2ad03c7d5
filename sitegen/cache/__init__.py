"""The build cache in .sitegen-cache/: parsed posts by content, rendered pages by their inputs.

A rebuild re-reads only the files whose size or time changed, re-renders only the pages whose
inputs changed, and keeps output files whose bytes did not change. The cache is a JSON index of
sizes and times (index, stamps), the records beside it and a pack of the posts' HTML (pack), so
one from anywhere is data, never code (codec);
one that cannot be read is ignored with a warning, and a damaged pack record makes the build
start over. What decides that an earlier result still stands is in keys. Only the builder's
seam, incremental, asks it anything; the stages never see it.

Imports errors, listing (a path as JSON holds it), models. The one package that imports orjson
(index and codec).
"""

from sitegen.cache.codec import decode_report, encode_report
from sitegen.cache.index import FOLDER, BuildCache
from sitegen.cache.keys import Fingerprints, config_digest

__all__ = ["FOLDER", "BuildCache", "Fingerprints", "config_digest", "decode_report", "encode_report"]
