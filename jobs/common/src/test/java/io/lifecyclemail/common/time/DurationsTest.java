package io.lifecyclemail.common.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsWhatPeopleWrite() {
        assertThat(Durations.parse("45m")).isEqualTo(Duration.ofMinutes(45));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("3d")).isEqualTo(Duration.ofDays(3));
        assertThat(Durations.parse("1w")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void refusesAnythingElseSayingWhatIsAllowed() {
        for (String text : new String[] {"", "2", "2 hours", "h", "-1h", "1.5h", "2H"}) {
            assertThatThrownBy(() -> Durations.parse(text)).hasMessageContaining("45m");
        }
    }

    @Test
    void formatsBackToTheSameDuration() {
        for (String text : new String[] {"45m", "2h", "3d", "1w", "1h30m", "500ms", "1d2h3m4s5ms"}) {
            assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
        }
        assertThat(Durations.format(Duration.ofDays(30))).isEqualTo("30d");
    }
}
