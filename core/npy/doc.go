// Package npy reads and writes numpy .npy arrays and .npz archives without
// numpy, streaming: an Array hands out first-axis rows in batches converted
// to float64 or int64, so memory is bounded by a batch and not by the file.
//
// Reading supports .npy format versions 1.0, 2.0 and 3.0; the dtypes f8, f4,
// i8, i4, i2, i1, u8, u4, u2, u1 and b1 in either byte order ('<', '>', '=' and
// '|' prefixes; '=' is taken as little-endian, the byte order of every
// platform Go supports here); C order (Fortran order is refused for arrays
// of two or more dimensions, where it changes the layout). Object and
// structured dtypes are refused with an error naming the dtype.
//
// An .npz file is a zip archive with one member NAME.npy per array, stored
// (numpy.savez) or DEFLATE-compressed (numpy.savez_compressed). OpenNPZ
// lists the members and opens one by name, with or without ".npy".
//
// Writers produce version 1.0 headers (2.0 when the header does not fit),
// padded with spaces and terminated by '\n' so that the data starts on a
// multiple of 64 bytes, exactly as numpy.save does. WriteJets writes a
// jet.Jets in the EnergyFlow layout (X float64 (N, M, 4) = pt, y, phi, pid,
// zero-padded; y float64 labels; weight and aux columns as (N,) members)
// and WriteMatrix writes a float64 matrix (distances.npy, scores.npy).
//
// Every error names the file (and archive member) and says what is wrong,
// for example
//
//	X.npy in data.npz: truncated: header says 20000×138×4 float64 (88320000 bytes) but the member holds 1234
package npy
