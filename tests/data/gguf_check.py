"""An independent GGUF reader for the tests: written from the format description alone
(no loco code), it checks that a file written by `loco synth` / `loco quantize` is
ordinary GGUF: magic, version, every metadata entry decodes, tensor offsets are aligned
and inside the data section, and each tensor's byte size matches its type and shape.
Prints one JSON line with what it found."""
import json
import struct
import sys

# type id -> (block size, bytes per block)
SIZES = {0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
         10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210), 30: (1, 2)}
SCALARS = {0: 'B', 1: 'b', 2: 'H', 3: 'h', 4: 'I', 5: 'i', 6: 'f', 7: '?', 10: 'Q', 11: 'q', 12: 'd'}


def main(path):
    data = open(path, 'rb').read()
    pos = 0

    def take(fmt):
        nonlocal pos
        size = struct.calcsize('<' + fmt)
        if pos + size > len(data):
            raise ValueError('truncated at %d' % pos)
        value = struct.unpack_from('<' + fmt, data, pos)
        pos += size
        return value[0] if len(value) == 1 else value

    def string():
        nonlocal pos
        n = take('Q')
        s = data[pos:pos + n].decode('utf-8')
        pos += n
        return s

    def value(t):
        if t == 8:
            return string()
        if t == 9:
            et, n = take('I'), take('Q')
            return [value(et) for _ in range(n)]
        return take(SCALARS[t])

    assert data[:4] == b'GGUF', 'bad magic'
    pos = 4
    version, n_tensors, n_kv = take('I'), take('Q'), take('Q')
    assert version in (2, 3), version
    meta = {}
    for _ in range(n_kv):
        key = string()
        meta[key] = value(take('I'))
    alignment = meta.get('general.alignment', 32)
    tensors = []
    for _ in range(n_tensors):
        name = string()
        dims = [take('Q') for _ in range(take('I'))]
        ttype, offset = take('I'), take('Q')
        tensors.append((name, dims, ttype, offset))
    data_start = (pos + alignment - 1) // alignment * alignment
    total = 0
    for name, dims, ttype, offset in tensors:
        block, nbytes = SIZES[ttype]
        count = 1
        for d in dims:
            count *= d
        assert dims[0] % block == 0, name
        size = count // block * nbytes
        assert offset % alignment == 0, name
        assert data_start + offset + size <= len(data), name
        total += count
    print(json.dumps({'version': version, 'tensors': n_tensors, 'metadata': n_kv, 'parameters': total,
                      'architecture': meta.get('general.architecture'),
                      'vocab': len(meta.get('tokenizer.ggml.tokens', []))}))


if __name__ == '__main__':
    main(sys.argv[1])
