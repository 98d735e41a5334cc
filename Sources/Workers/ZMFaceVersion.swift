/// zmface's version, recorded in model files.
public enum ZMFaceVersion {
    public static let current = "0.1.0"
}
