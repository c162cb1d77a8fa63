#!/usr/bin/env python3
"""Writes the NumPy-made .npy/.npz fixtures of the io.github.qbn4j.io tests.

What it makes, in the directory of this script:
  * one .npy file per dtype (b1, i1, u1 once; i2, u2, i4, u4, i8, u8, f2, f4, f8 in both
    little-endian '<' and big-endian '>' order), with extreme values of each type;
  * Fortran-order arrays (float32 3-D, big-endian int64 2-D, uint8 2-D);
  * float16 special values (subnormals, infinities, NaN, signed zero, largest finite);
  * files in header format versions 2.0 and 3.0 (np.lib.format.write_array(version=...));
  * scalars (shape ()) and empty arrays (shapes (0,) and (2, 0));
  * np.savez and np.savez_compressed archives with a key containing '/';
  * files our reader must refuse: an object array (pickled, allow_pickle=True), a structured
    dtype, unicode and byte strings, complex, and an .npz holding an object array;
  * manifest.tsv: for each fixture the dtype, shape, byte order, memory order, header version
    and the expected values in C order, all taken from numpy (never from the Java reader).

Generated with numpy 1.23.5 on Python 3.11.7 (the /work/venv/qml environment).

This script is run by hand, never in CI; its outputs are committed. Re-run it only to change
the fixtures:  python make_fixtures.py
"""

import io
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = []


def fmt_value(v, kind):
    """Formats one element exactly: ints in decimal, floats as C99 hex (Java parses it)."""
    if kind == 'b':
        return '1' if bool(v) else '0'
    if kind in 'iu':
        return str(int(v))
    f = float(v)
    if f != f:
        return 'nan'
    if f in (float('inf'), float('-inf')):
        return 'inf' if f > 0 else '-inf'
    return f.hex()


def header_version(path):
    with open(path, 'rb') as fh:
        head = fh.read(8)
    return '%d.%d' % (head[6], head[7])


def describe(kind, name, key, a, fortran, version, same_bytes):
    kind_char = a.dtype.kind
    code = {'b': 'b'}.get(kind_char, kind_char) + str(a.dtype.itemsize)
    order = a.dtype.byteorder
    if order == '=':
        order = '<' if sys.byteorder == 'little' else '>'
    values = ' '.join(fmt_value(v, kind_char) for v in a.ravel(order='C'))
    shape = '[' + ','.join(str(d) for d in a.shape) + ']'
    MANIFEST.append('\t'.join([kind, name, key, code, shape, order, 'F' if fortran else 'C',
                               version, '1' if same_bytes else '0', values]))


def save(name, a, version=None):
    """Saves with np.save (version None) or write_array (given version); records it."""
    path = os.path.join(HERE, name)
    if version is None:
        np.save(path, a)
    else:
        with open(path, 'wb') as fh:
            np.lib.format.write_array(fh, a, version=version)
    with open(path, 'rb') as fh:
        back = np.lib.format.read_array(fh)
    assert back.dtype == a.dtype and back.shape == a.shape
    fortran = a.ndim > 1 and a.flags.f_contiguous and not a.flags.c_contiguous
    # np.save of a little-endian C-order array is what our writer must reproduce byte for byte
    same = (version is None and not fortran and a.dtype.byteorder in '<|='
            and a.dtype.kind in 'biuf')
    describe('npy', name, '-', a, fortran, header_version(path), same)


def refuse(name, fragment, key='-'):
    MANIFEST.append('\t'.join(['refuse', name, key, '-', '-', '-', '-', '-', '-', fragment]))


def main():
    ints = {
        'i1': [-128, -1, 0, 1, 127],
        'u1': [0, 1, 127, 128, 255],
        'i2': [-32768, -1, 0, 1, 32767, 12345],
        'u2': [0, 1, 32768, 65535],
        'i4': [-2**31, -1, 0, 1, 2**31 - 1, 123456789],
        'u4': [0, 1, 2**31, 2**32 - 1],
        'i8': [-2**63, -1, 0, 1, 2**63 - 1, 2**53 + 1],
        'u8': [0, 1, 2**63, 2**64 - 1, 2**53 + 1],
    }
    shapes = {'i1': (5,), 'u1': (5,), 'i2': (2, 3), 'u2': (2, 2), 'i4': (3, 2), 'u4': (4,),
              'i8': (2, 3), 'u8': (5,)}
    floats = {
        'f2': ([0.0, -0.0, 1.0, -2.5, 65504.0, 2.0**-24, 1023 * 2.0**-24, 2.0**-14,
                float('inf'), float('-inf'), float('nan'), 0.1], (3, 4)),
        'f4': ([0.0, -0.0, 1.5, -3.25, 3.4028234663852886e38, 2.0**-149, float('inf'),
                float('-inf'), float('nan'), 0.1, 16777216.0, -7.0], (2, 2, 3)),
        'f8': ([0.0, -0.0, np.pi, 1e308, 5e-324, float('inf'), float('-inf'), float('nan'),
                0.1], (3, 3)),
    }

    save('b1.npy', np.array([True, False, True, True, False, False]).reshape(2, 3))
    for code in ('i1', 'u1'):
        save(code + '.npy', np.array(ints[code], dtype=code).reshape(shapes[code]))
    for code, values in ints.items():
        if code in ('i1', 'u1'):
            continue
        for order, tag in (('<', 'le'), ('>', 'be')):
            a = np.array(values, dtype=order + code).reshape(shapes[code])
            save('%s_%s.npy' % (code, tag), a)
    for code, (values, shape) in floats.items():
        for order, tag in (('<', 'le'), ('>', 'be')):
            a = np.array(values, dtype=order + code).reshape(shape)
            save('%s_%s.npy' % (code, tag), a)

    # Fortran order
    save('f4_fortran.npy', np.asfortranarray(np.arange(24, dtype='<f4').reshape(2, 3, 4) * 0.5))
    save('i8_be_fortran.npy',
         np.asfortranarray(np.array([[1, -2], [3, -4], [2**40, -(2**40)]], dtype='>i8')))
    save('u1_fortran.npy', np.asfortranarray(np.arange(6, dtype='u1').reshape(2, 3)))

    # float16: every subnormal boundary, infinities, NaN, signed zero, largest finite
    f2 = np.array([2.0**-24, 2 * 2.0**-24, 1023 * 2.0**-24, 2.0**-14, -(2.0**-24), 65504.0,
                   -65504.0, float('inf'), float('-inf'), float('nan'), -0.0, 1.0 / 3.0],
                  dtype='<f2')
    save('f2_special.npy', f2)

    # header versions 2.0 and 3.0
    save('v2_i4.npy', np.array([[1, 2, 3], [-4, -5, -6]], dtype='<i4'), version=(2, 0))
    save('v2_f8_be_fortran.npy',
         np.asfortranarray(np.array([[0.5, 1.5, 2.5], [-1.0, 2.0**-1074, 3.0]], dtype='>f8')),
         version=(2, 0))
    save('v3_f8.npy', np.array([1.0, -2.0, 0.25], dtype='<f8'), version=(3, 0))

    # scalars and empty arrays
    save('scalar_f8.npy', np.array(3.5))
    save('scalar_i8.npy', np.array(-7, dtype='<i8'))
    save('scalar_b1.npy', np.array(True))
    save('empty_f4.npy', np.zeros((0,), dtype='<f4'))
    save('empty_2x0_i8.npy', np.zeros((2, 0), dtype='<i8'))

    # npz archives, with a key containing '/'
    arrays = {
        'a': np.arange(6, dtype='<f4').reshape(2, 3) - 2.5,
        'output_quantizer/range_max': np.array([1.5, 2.5, 3.5], dtype='<f4'),
        'scalar': np.array(7, dtype='<i4'),
        'flags': np.array([True, False, True]),
    }
    for name, fn in (('savez.npz', np.savez), ('savez_compressed.npz', np.savez_compressed)):
        fn(os.path.join(HERE, name), **arrays)
        with np.load(os.path.join(HERE, name)) as z:
            for key in z.files:
                a = z[key]
                describe('npz', name, key, a, False, '1.0', False)

    # files the reader must refuse
    np.save(os.path.join(HERE, 'object.npy'), np.array([1, 'a', None], dtype=object),
            allow_pickle=True)
    refuse('object.npy', 'object/pickled arrays are not supported')
    np.save(os.path.join(HERE, 'structured.npy'),
            np.zeros(2, dtype=[('a', '<i4'), ('b', '<f8')]))
    refuse('structured.npy', 'structured dtype')
    np.save(os.path.join(HERE, 'unicode.npy'), np.array(['ab', 'c']))
    refuse('unicode.npy', "'<U2'")
    np.save(os.path.join(HERE, 'bytes.npy'), np.array([b'ab', b'c']))
    refuse('bytes.npy', "'|S2'")
    np.save(os.path.join(HERE, 'complex.npy'), np.array([1 + 2j], dtype='<c8'))
    refuse('complex.npy', "'<c8' (complex)")
    np.savez(os.path.join(HERE, 'object_in.npz'), ok=np.arange(3),
             obj=np.array([None, 1], dtype=object))
    refuse('object_in.npz', "entry 'obj.npy'")

    with open(os.path.join(HERE, 'manifest.tsv'), 'w', newline='\n') as fh:
        fh.write('# Written by make_fixtures.py with numpy %s on Python %s.\n'
                 % (np.__version__, sys.version.split()[0]))
        fh.write('# kind\tfile\tkey\tdtype\tshape\torder\tmemory\tversion\tsame_bytes'
                 '\tvalues (C order; ints decimal, floats C99 hex) or refusal fragment\n')
        for line in MANIFEST:
            fh.write(line + '\n')


if __name__ == '__main__':
    main()
