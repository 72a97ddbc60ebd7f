package io.lifecyclemail.common.options;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PairsTest {
    @Test
    void readsPairsInOrderAndSkipsBlanks() {
        assertThat(Pairs.parse(" zh = zh-CN, , zh-SG=zh-CN ", "from=to")).containsExactly(
                org.assertj.core.data.MapEntry.entry("zh", "zh-CN"), org.assertj.core.data.MapEntry.entry("zh-SG", "zh-CN"));
        assertThat(Pairs.parse("", "from=to")).isEmpty();
    }

    @Test
    void namesTheEntryThatIsNotAPair() {
        for (String bad : new String[] {"zh:zh-CN", "=zh-CN", "zh=", "a=b=c"}) {
            assertThatThrownBy(() -> Pairs.parse("x=y, " + bad, "from=to, e.g. zh=zh-CN"))
                    .hasMessage("'" + bad + "' is not from=to, e.g. zh=zh-CN");
        }
    }
}
