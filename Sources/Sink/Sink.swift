public enum Sink {}
