import ArgumentParser
import Foundation
import Workers
import ZMFaceCore

struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Compare detection settings on images: faces found, faces passing the gates, time.",
        discussion: """
            The original's view-mongo-images.py let its author re-run detection with other settings; \
            this prints one row per image and setting, and with --annotate writes each image with \
            its boxes drawn (green: passes the size and focus gates, red: too small, blue: blurry).

            Example:
              zmface tune frames/*.jpg --detector hog,cnn --upsample 0,1,2 --min-face 20 --focus 200 --annotate out/
            """
    )

    @Argument(help: "Images to try the settings on.") var images: [String]
    @Option(help: "Comma-separated detectors to try.") var detector: String = "hog,cnn"
    @Option(help: "Comma-separated upsample counts to try.") var upsample: String = "0,1"
    @Option(help: "Minimum face height and width for the size gate.") var minFace: Int = 20
    @Option(help: "Minimum focus measure for the blur gate.") var focus: Double = 200
    @Option(help: "Write annotated images to this folder.") var annotate: String?
    @Option(help: "Directory holding the dlib model files.") var models: String?

    func run() throws {
        let detectors = try detector.split(separator: ",").map { name -> DetectorKind in
            guard let kind = DetectorKind(rawValue: String(name)) else {
                throw ValidationError("unknown detector \(name)")
            }
            return kind
        }
        let upsamples = try upsample.split(separator: ",").map { value -> Int in
            guard let number = Int(value), (0...4).contains(number) else {
                throw ValidationError("upsample must be 0...4")
            }
            return number
        }
        NativeRuntime.setBLASThreads(1)
        let set: FaceModelSet
        do {
            set = try FaceModelSet(files: ModelFiles.locate(explicit: models))
        } catch {
            CommandError.report(error)
            throw ExitCode.failure
        }
        if let annotate { try FileManager.default.createDirectory(atPath: annotate, withIntermediateDirectories: true) }
        print(
            "image".padding(toLength: 28, withPad: " ", startingAt: 0)
                + "detector  upsample  faces  usable  too_small  blurry      ms")
        let decoder = ImageDecoder()
        let clock = ContinuousClock()
        var failures = 0
        for path in images {
            let image: RGBImage
            do {
                image = try decoder.decode(fileAtPath: path)
            } catch {
                failures += 1
                CommandError.report(error)
                continue
            }
            for kind in detectors {
                for times in upsamples {
                    let start = clock.now
                    let faces: [DetectedFace]
                    do {
                        faces = try set.detectFaces(in: image, detector: kind, upsample: times)
                    } catch {
                        CommandError.report(error)
                        failures += 1
                        continue
                    }
                    let elapsed = (clock.now - start).seconds * 1000
                    var marks: [(box: FaceBox, color: (UInt8, UInt8, UInt8))] = []
                    var usable = 0
                    var small = 0
                    var blurry = 0
                    for face in faces {
                        if face.box.width < minFace || face.box.height < minFace {
                            small += 1
                            marks.append((face.box, (230, 40, 40)))
                        } else if (FocusMeasure.varianceOfLaplacian(image, in: face.box) ?? 0) < focus {
                            blurry += 1
                            marks.append((face.box, (40, 90, 230)))
                        } else {
                            usable += 1
                            marks.append((face.box, (40, 200, 60)))
                        }
                    }
                    let name = URL(fileURLWithPath: path).lastPathComponent
                    print(
                        String(name.prefix(27)).padding(toLength: 28, withPad: " ", startingAt: 0)
                            + String(
                                format: "%-9@ %8d %6d %7d %10d %7d %7.0f", kind.rawValue, times, faces.count, usable,
                                small, blurry, elapsed))
                    if let annotate {
                        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                        let file = URL(fileURLWithPath: annotate).appendingPathComponent(
                            "\(stem)-\(kind.rawValue)-up\(times).jpg")
                        try ImageEncoder.jpeg(image.annotated(marks)).write(to: file)
                    }
                }
            }
        }
        if failures > 0 { throw ExitCode.failure }
    }
}
