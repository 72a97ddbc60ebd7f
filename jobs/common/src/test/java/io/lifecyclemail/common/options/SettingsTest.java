package io.lifecyclemail.common.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lifecyclemail.common.kafka.KafkaOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {
    static final Option<Duration> WAIT = Option.duration("wait", Duration.ofMinutes(5), "how long");
    static final Option<Integer> COUNT = Option.integer("count", 3, "how many");
    static final List<Option<?>> DECLARED = List.of(WAIT, COUNT, KafkaOptions.BOUNDED);

    @Test
    void parsesTypedValuesAndKeepsDefaults() {
        Settings settings = Settings.parse(DECLARED, "--wait", "2h", "--kafka.bounded=true");
        assertThat(settings.get(WAIT)).isEqualTo(Duration.ofHours(2));
        assertThat(settings.get(COUNT)).isEqualTo(3);
        assertThat(settings.get(KafkaOptions.BOUNDED)).isTrue();
    }

    @Test
    void refusesUnknownKeysListingTheKnownOnes() {
        assertThatThrownBy(() -> Settings.parse(DECLARED, "--wiat", "2h"))
                .hasMessageContaining("unknown option --wiat").hasMessageContaining("wait");
    }

    @Test
    void refusesBadValuesNamingTheOption() {
        assertThatThrownBy(() -> Settings.parse(DECLARED, "--count", "many"))
                .hasMessageContaining("--count").hasMessageContaining("integer");
    }

    @Test
    void refusesDuplicateKeys() {
        assertThatThrownBy(() -> Settings.index(List.of(WAIT, Option.string("wait", "", "again"))))
                .hasMessageContaining("wait");
    }

    @Test
    void describesEveryOption() {
        assertThat(Settings.describe(DECLARED)).contains("--wait <duration>", "default: 5m", "--count <integer>");
    }
}
