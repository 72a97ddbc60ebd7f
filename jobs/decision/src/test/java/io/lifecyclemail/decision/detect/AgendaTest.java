package io.lifecyclemail.decision.detect;

import static io.lifecyclemail.decision.Events.ALICE;
import static io.lifecyclemail.decision.Events.cartAdd;
import static io.lifecyclemail.decision.Events.input;
import static io.lifecyclemail.decision.Events.millis;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.WakeUps;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgendaTest {
    static final long MINUTE = 60_000;

    static CustomerInput addAt(int minutes) {
        return input(cartAdd(ALICE, Duration.ofMinutes(minutes), "p" + minutes, 1));
    }

    static String productOf(CustomerInput input) {
        return ((io.lifecyclemail.schema.ClickstreamEvent) input.getEvent()).getProduct().getProductId();
    }

    @Test
    void nextIsTheEarliestOfEveryKindUpToTheWatermarkAndWakeUpsOnlyAfterTheInstantHandled() {
        Agenda agenda = Agenda.of(null);
        assertThat(agenda.isEmpty()).isTrue();
        assertThat(agenda.toRecord()).as("nothing to store").isNull();
        long t0 = millis(Duration.ZERO);
        agenda.holdInline(addAt(5));
        agenda.heldElsewhereAt(t0 + 3 * MINUTE);
        agenda.forgetAt(t0 + 4 * MINUTE);
        agenda.wakeUps(WakeUpIndex.EMPTY.with(1, t0 + 2 * MINUTE).with(2, t0 + 9 * MINUTE));
        assertThat(agenda.earliest()).isEqualTo(t0 + 2 * MINUTE);
        assertThat(agenda.earliestBefore()).as("where the timer stood when read").isNull();

        long upTo = t0 + 6 * MINUTE;
        assertThat(agenda.next(upTo, Long.MIN_VALUE, upTo)).isEqualTo(t0 + 2 * MINUTE);
        assertThat(agenda.next(upTo, t0 + 2 * MINUTE, upTo)).as("each instant once per call")
                .isEqualTo(t0 + 3 * MINUTE);
        assertThat(agenda.next(t0 + MINUTE, Long.MIN_VALUE, upTo)).as("inputs only up to the watermark").isEqualTo(t0 + 2 * MINUTE);
        assertThat(agenda.takeHeldElsewhereAt(t0 + 3 * MINUTE)).isTrue();
        assertThat(agenda.takeHeldElsewhereAt(t0 + 3 * MINUTE)).as("taken once").isFalse();
        assertThat(agenda.takeForgetAt(t0 + 4 * MINUTE)).isTrue();
        assertThat(agenda.next(upTo, t0 + 4 * MINUTE, upTo)).isEqualTo(t0 + 5 * MINUTE);
        assertThat(agenda.takeHeldAt(t0 + 5 * MINUTE)).extracting(AgendaTest::productOf).containsExactly("p5");
        assertThat(agenda.next(upTo, t0 + 5 * MINUTE, upTo)).as("the wake-up at 0:09 is after the watermark").isNull();
        assertThat(agenda.next(Long.MAX_VALUE, t0 + 5 * MINUTE, t0 + 8 * MINUTE)).as("and after the cutoff").isNull();
    }

    @Test
    void holdsAFewInputsItselfAndStoresEveryKindOfEntry() {
        Agenda agenda = Agenda.of(null);
        for (int minute = 1; minute <= Agenda.HELD_INLINE; minute++) {
            assertThat(agenda.holdInline(addAt(minute))).isTrue();
        }
        assertThat(agenda.holdInline(addAt(99))).as("full: it waits elsewhere").isFalse();
        long t0 = millis(Duration.ZERO);
        agenda.heldElsewhereAt(t0 + 99 * MINUTE);
        agenda.heldElsewhereAt(t0 + 99 * MINUTE);
        agenda.forgetAt(t0 + 120 * MINUTE);
        agenda.wakeUps(WakeUpIndex.EMPTY.with(1, t0 + 180 * MINUTE));
        WakeUps stored = agenda.toRecord();

        Agenda read = Agenda.of(stored);
        assertThat(read.changed()).isFalse();
        assertThat(read.earliestBefore()).isEqualTo(t0 + MINUTE);
        assertThat(stored.getEarliest()).as("stored, so that an arriving input need not read the rest").isEqualTo(t0 + MINUTE);
        assertThat(read.takeHeldAt(t0 + 7 * MINUTE)).extracting(AgendaTest::productOf).containsExactly("p7");
        assertThat(read.takeHeldAt(t0 + MINUTE)).extracting(AgendaTest::productOf).containsExactly("p1");
        assertThat(read.earliest()).as("found again once the earliest has left").isEqualTo(t0 + 2 * MINUTE);
        read.holdInline(addAt(0));
        assertThat(read.earliest()).isEqualTo(t0);
        assertThat(read.takeHeldElsewhereAt(t0 + 99 * MINUTE)).isTrue();
        assertThat(read.takeHeldElsewhereAt(t0 + 99 * MINUTE)).as("listed once").isFalse();
        assertThat(read.forgets(t0 + 120 * MINUTE)).isTrue();
        assertThat(read.wakeUps().get(1)).isEqualTo(t0 + 180 * MINUTE);
        assertThat(read.changed()).isTrue();
    }

    @Test
    void anAgendaOfOneKindStoresTheOtherKindsAsSharedEmptiesAndNeverChangesWhatItRead() {
        long t0 = millis(Duration.ZERO);
        Agenda agenda = Agenda.of(null);
        agenda.wakeUps(WakeUpIndex.EMPTY.with(1, t0 + MINUTE));
        WakeUps stored = agenda.toRecord();
        // on the heap backend each of a million customers' agendas would otherwise hold its own empties
        assertThat(stored.getHeld()).isSameAs(java.util.List.of());
        assertThat(stored.getIdHashes()).isSameAs(StateValues.NO_BYTES);
        assertThat(stored.getHeldElsewhere()).isSameAs(StateValues.NO_BYTES);
        assertThat(stored.getForgetAt()).isSameAs(StateValues.NO_BYTES);

        Agenda read = Agenda.of(stored);
        assertThat(read.holdInline(addAt(2))).isTrue();
        assertThat(read.rememberHere(t0 + 60 * MINUTE, java.util.List.of("e1"))).isTrue();
        WakeUps next = read.toRecord();
        assertThat(next.getHeld()).extracting(AgendaTest::productOf).containsExactly("p2");
        assertThat(Agenda.of(next).holdsId("e1")).isTrue();
        assertThat(stored.getHeld()).as("what was read stays as it was").isEmpty();
        assertThat(stored.getIdHashes().hasRemaining()).isFalse();
    }

    @Test
    void idsAreHeldAsHashesUntilTheirSpanIsForgottenAndThoseAnOlderVersionHeldAsStringsAreTakenOver() {
        long t0 = millis(Duration.ZERO);
        Agenda agenda = Agenda.of(null);
        assertThat(agenda.rememberHere(t0 + 60 * MINUTE, java.util.List.of("e1", "e2"))).isTrue();
        assertThat(agenda.rememberHere(t0 + 61 * MINUTE, java.util.List.of("e3"))).isTrue();
        assertThat(agenda.rememberHere(t0 + 60 * MINUTE, java.util.List.of("e4"))).isTrue();
        java.util.List<String> tooMany = java.util.stream.IntStream.range(0, Agenda.IDS_HELD - 3)
                .mapToObj(i -> "x" + i).toList();
        assertThat(agenda.rememberHere(t0 + 62 * MINUTE, tooMany)).as("beyond %d ids: kept elsewhere", Agenda.IDS_HELD)
                .isFalse();
        WakeUps stored = agenda.toRecord();
        assertThat(stored.getIdsHeld()).isEmpty();
        assertThat(stored.getIdHashes().remaining()).as("8 bytes an id, 2 a span's time and count")
                .isLessThanOrEqualTo(4 * 8 + 2 * 12);
        assertThat(stored.getEarliest()).isEqualTo(t0 + 60 * MINUTE);

        Agenda read = Agenda.of(stored);
        assertThat(java.util.List.of("e1", "e2", "e3", "e4")).allMatch(read::holdsId);
        assertThat(read.holdsId("e5")).isFalse();
        assertThat(read.next(t0 + 120 * MINUTE, Long.MIN_VALUE, Long.MIN_VALUE)).isEqualTo(t0 + 60 * MINUTE);
        read.forgetHeldIdsUpTo(t0 + 60 * MINUTE);
        assertThat(read.holdsId("e1")).isFalse();
        assertThat(read.holdsId("e3")).isTrue();
        assertThat(read.earliest()).isEqualTo(t0 + 61 * MINUTE);
        read.forgetHeldIdsUpTo(t0 + 61 * MINUTE);
        assertThat(read.toRecord()).as("nothing left").isNull();

        // as an older version stored them: strings in idsHeld
        WakeUps older = new WakeUps(Map.of(), StateValues.NO_BYTES, java.util.List.of(), StateValues.NO_BYTES,
                StateValues.NO_BYTES, java.util.List.of(new io.lifecyclemail.state.IdsToForget(t0 + 60 * MINUTE,
                        java.util.List.of("e1", "e2"))), t0 + 60 * MINUTE, java.nio.ByteBuffer.allocate(0));
        Agenda taken = Agenda.of(older);
        assertThat(taken.holdsId("e2")).isTrue();
        assertThat(taken.changed()).as("written back as hashes").isTrue();
        WakeUps rewritten = taken.toRecord();
        assertThat(rewritten.getIdsHeld()).isEmpty();
        assertThat(Agenda.of(rewritten).holdsId("e1")).isTrue();
        assertThat(Agenda.of(rewritten).earliest()).isEqualTo(t0 + 60 * MINUTE);
    }

    @Test
    void wakeUpsAnOlderVersionWroteAsAMapAreTakenOverAndMarkTheAgendaChanged() {
        long t0 = millis(Duration.ZERO);
        Agenda agenda = Agenda.of(WakeUps.newBuilder().setTimes(Map.of("cart", t0, "browse", t0 + MINUTE)).build());
        assertThat(agenda.changed()).as("written back packed").isTrue();
        assertThat(agenda.wakeUps().get(WakeUpKeys.codeOfOlderKey("cart"))).isEqualTo(t0);
        assertThat(agenda.wakeUps().size()).isEqualTo(2);
        assertThat(agenda.toRecord().getTimes()).isEmpty();
    }
}
