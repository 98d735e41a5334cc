public enum Ingest {}
