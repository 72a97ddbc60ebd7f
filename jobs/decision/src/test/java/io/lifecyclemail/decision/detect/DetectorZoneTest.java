package io.lifecyclemail.decision.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The customer stage reads a customer's time zone from state only for detectors that say they use
 * it ({@link Detector#usesCustomerZone}): a detector that counts calendar days but forgets to say so
 * would get no zone and count in UTC. Checked over every detector class the build compiled.
 */
class DetectorZoneTest {
    @Test
    void everyDetectorThatTakesTheZoneSaysItUsesIt() throws Exception {
        List<Class<?>> detectors = detectorClasses();
        assertThat(detectors).as("the compiled detectors").hasSizeGreaterThan(10);
        List<String> takingZone = new ArrayList<>();
        for (Class<?> type : detectors) {
            if (declaresApplyWithZone(type)) {
                takingZone.add(type.getSimpleName());
                assertThat(Stream.of(type.getDeclaredMethods()).anyMatch(method -> method.getName().equals("usesCustomerZone")))
                        .as(type.getName() + " takes the zone in apply but does not override usesCustomerZone").isTrue();
            }
        }
        assertThat(takingZone).as("today's detectors that count in the customer's zone")
                .containsExactlyInAnyOrder("RollingRfm", "SinceLast");
    }

    private static boolean declaresApplyWithZone(Class<?> type) {
        for (Method method : type.getDeclaredMethods()) {
            if (method.getName().equals("apply") && !method.isBridge() && method.getParameterCount() == 3
                    && method.getParameterTypes()[2] == ZoneId.class) {
                return true;
            }
        }
        return false;
    }

    private static List<Class<?>> detectorClasses() throws Exception {
        Path classes = Path.of("target/classes");
        List<Class<?>> detectors = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(path -> path.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                Class<?> type = Class.forName(name, false, DetectorZoneTest.class.getClassLoader());
                if (Detector.class.isAssignableFrom(type) && !type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
                    detectors.add(type);
                }
            }
        }
        return detectors;
    }
}
