internal import CDlib

/// Facts about, and settings of, the native libraries under the recognition core.
public enum NativeRuntime {
    /// dlib's version, e.g. "19.24.0".
    public static var dlibVersion: String { String(cString: zmf_dlib_version()) }

    /// The compiled copy of dlib's HOG detector this process runs (x86-64-v3 with AVX2 and FMA, or
    /// the baseline) and why; `ZMFACE_CPU=baseline` forces the baseline.
    public static var hogKernel: String { String(cString: zmf_hog_kernel_info()) }

    /// The BLAS dlib's network runs on; "OpenBLAS …" is expected (the reference BLAS is ~9x slower).
    public static var blasDescription: String { String(cString: zmf_blas_info()) }

    /// Pins OpenBLAS to `threads` threads. Workers each run on their own thread, so one BLAS thread
    /// per worker avoids oversubscribing the cores. Returns false when the BLAS has no such control.
    @discardableResult
    public static func setBLASThreads(_ threads: Int) -> Bool {
        zmf_blas_set_threads(Int32(threads)) == 0
    }
}
