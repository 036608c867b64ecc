#!/bin/sh
# What `coursehub nodes gpus NODE --nvidia-smi` reads: run on a GPU node, paste the output.
exec nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits
