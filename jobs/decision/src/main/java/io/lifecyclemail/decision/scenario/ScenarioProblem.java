package io.lifecyclemail.decision.scenario;

/** One thing wrong in a scenario file: where (file, line, field) and what is allowed. */
public record ScenarioProblem(String file, int line, String field, String message) {
    @Override
    public String toString() {
        return file + ":" + (line > 0 ? line : "?") + ": " + (field.isEmpty() ? "" : field + ": ") + message;
    }
}
