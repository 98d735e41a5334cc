public enum ZeroRPC {}
