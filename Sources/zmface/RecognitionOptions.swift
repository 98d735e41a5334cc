public import ArgumentParser
import Recognition
public import Workers

/// Options shared by every command that runs the detector and encoder.
struct RecognitionOptions: ParsableArguments {
    @Option(help: "Face detector: hog (fast) or cnn (slower, finds more poses).")
    var detector: DetectorKind = .hog

    @Option(help: "How many times to upsample the image before detecting (finds smaller faces).")
    var upsample: Int = 1

    @Option(help: "Re-sample each face this many times and average the encodings (slower, steadier).")
    var jitters: Int = 1

    @Option(help: "Directory holding the dlib model files (default: $ZMFACE_MODELS, then ./models).")
    var models: String?

    @Option(help: "Refuse images with more pixels than this.")
    var maxPixels: Int = 40_000_000

    /// The pipeline's settings with both gates open: these commands report every face they find.
    var ungated: RecognitionSettings {
        RecognitionSettings(
            detector: detector, upsample: upsample, minFace: 0, focusThreshold: 0, maxYaw: .infinity, jitters: jitters)
    }

    var decoder: ImageDecoder { ImageDecoder(maxPixels: maxPixels) }

    func validate() throws {
        guard (0...8).contains(upsample) else { throw ValidationError("--upsample must be between 0 and 8") }
        guard (0...1000).contains(jitters) else { throw ValidationError("--jitters must be between 0 and 1000") }
        guard maxPixels > 0 else { throw ValidationError("--max-pixels must be positive") }
    }

    /// Loads the model set, with BLAS pinned to one thread as every worker runs it. A failure is
    /// reported like every other error and ends the command with exit code 1.
    func loadModels() throws -> FaceModelSet {
        NativeRuntime.setBLASThreads(1)
        do {
            return try FaceModelSet(files: ModelFiles.locate(explicit: models))
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
    }
}

extension DetectorKind: ExpressibleByArgument {}
