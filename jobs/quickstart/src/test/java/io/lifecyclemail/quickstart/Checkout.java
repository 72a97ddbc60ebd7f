package io.lifecyclemail.quickstart;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this checkout, found from the repository root (benchmark profile) or a module's directory (tests). */
final class Checkout {
    private Checkout() {
    }

    /** {@code relative} (e.g. "deploy/local/up.sh") in the nearest directory upwards that has it. */
    static Path file(String relative) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve(relative);
            if (Files.exists(file)) {
                return file;
            }
        }
        throw new IllegalStateException(relative + " not found above " + Path.of("").toAbsolutePath());
    }
}
