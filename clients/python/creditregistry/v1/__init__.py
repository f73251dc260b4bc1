"""Generated stubs of the creditregistry.v1 API (made by clients/python/generate.sh).

The *_pb2.py, *_pb2.pyi and *_pb2_grpc.py files here are generated from
proto/creditregistry/v1/*.proto; do not edit them by hand.
"""
