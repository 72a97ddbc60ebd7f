package io.lifecyclemail.decision.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.common.flink.AvroBinarySerializer;
import io.lifecyclemail.decision.scenario.CartAbandonmentScenario;
import io.lifecyclemail.decision.scenario.Reentry;
import io.lifecyclemail.decision.scenario.Scenario;
import io.lifecyclemail.decision.scenario.ScenarioPolicy;
import io.lifecyclemail.state.EntryLog;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ReentryGateTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long DAY = 86_400_000L;
    private static final String ALICE = "7f3c2a9e-1b4d-4e6f-9a8b-2c5d7e9f1a3b";
    private final ReentryGate gate = new ReentryGate();

    /** The log's schema as versions before 'logged' wrote it: scenario id + '/' + natural key -> entry. */
    private static final Schema OLDER = new Schema.Parser().parse("""
            {"type": "record", "name": "EntryLog", "namespace": "io.lifecyclemail.state", "fields": [
              {"name": "entries", "type": {"type": "map", "values": {
                "type": "record", "name": "ScenarioEntry", "fields": [
                  {"name": "trigger_event_id", "type": "string"},
                  {"name": "time", "type": "long"},
                  {"name": "forget_at", "type": "long"}]}}, "default": {}}]}
            """);

    private static Scenario browse(String id, Duration after) {
        return new CartAbandonmentScenario(id, 1, "", true, Duration.ofHours(1), "browse", 10,
                new ScenarioPolicy(after == null ? Reentry.NEVER : Reentry.after(after), 50));
    }

    private static Candidate candidate(Scenario scenario, String trigger, long time, String product) {
        return new Candidate(scenario, ALICE, "reminder", List.of(), trigger, time, "test", Map.of())
                .per(Candidate.EntryKey.of(product));
    }

    @Test
    void aNewTriggerIsBlockedWithinAfterALaterStepOfTheSameEntryIsNotAndTheEntryIsForgottenWhenItCanNoLongerBlock() {
        Scenario weekly = browse("browse-weekly", Duration.ofDays(7));
        ReentryGate.Admission first = gate.admit(null, candidate(weekly, "e-1", T0, "tea"));
        assertThat(first.admitted()).isTrue();
        EntryLog log = first.log();
        assertThat(gate.admit(log, candidate(weekly, "e-1", T0 + DAY, "tea")).admitted())
                .as("a later step of the same entry").isTrue();
        ReentryGate.Admission again = gate.admit(log, candidate(weekly, "e-2", T0 + DAY, "tea"));
        assertThat(again.blockedBecause()).isEqualTo(
                "entered browse-weekly for tea at 2023-11-14T22:13:20Z; re-entry is after 1w");
        assertThat(gate.admit(log, candidate(weekly, "e-3", T0 + DAY, "coffee")).admitted())
                .as("another natural key").isTrue();
        assertThat(gate.nextWakeUp(log)).isEqualTo(OptionalLong.of(T0 + 7 * DAY));
        assertThat(gate.expire(log, T0 + 7 * DAY)).as("the tea entry is gone, the coffee entry stays").isNotNull();
        assertThat(gate.admit(log, candidate(weekly, "e-4", T0 + 7 * DAY, "tea")).admitted()).isTrue();
        assertThat(gate.expire(log, T0 + 14 * DAY)).as("nothing left").isNull();

        Scenario once = browse("cart-once", null);
        EntryLog forGood = gate.admit(null, candidate(once, "e-5", T0, "")).log();
        assertThat(gate.nextWakeUp(forGood)).as("never forgotten").isEmpty();
        assertThat(gate.admit(forGood, candidate(once, "e-6", T0 + 400 * DAY, "")).admitted()).isFalse();
    }

    @Test
    void aLogAnOlderVersionWroteByScenarioIdAndKeyBlocksAndAdmitsAsBeforeAndIsWrittenBackSmaller() throws Exception {
        Scenario weekly = browse("browse-abandonment", Duration.ofDays(7));
        Scenario once = browse("cart-abandonment", null);
        String tea = "0b9d8c7e-6f5a-4b3c-2d1e-0f9a8b7c6d5e";
        GenericData.Record teaEntry = olderEntry("c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f", T0, T0 + 7 * DAY);
        GenericData.Record cartEntry = olderEntry("d5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f80", T0, Long.MAX_VALUE);
        GenericData.Record asThen = new GenericData.Record(OLDER);
        asThen.put("entries", Map.of("browse-abandonment/" + tea, teaEntry, "cart-abandonment/", cartEntry));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        new GenericDatumWriter<GenericData.Record>(OLDER).write(asThen,
                EncoderFactory.get().directBinaryEncoder(written, null));
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(EntryLog.getClassSchema(), OLDER).getType())
                .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);

        EntryLog restored = read(written.toByteArray());
        assertThat(gate.nextWakeUp(restored)).isEqualTo(OptionalLong.of(T0 + 7 * DAY));
        assertThat(gate.admit(read(written.toByteArray()),
                candidate(weekly, "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f", T0 + DAY, tea)).admitted())
                .as("a later step of the entry an older version logged").isTrue();
        assertThat(gate.admit(read(written.toByteArray()), candidate(weekly, "new-trigger", T0 + DAY, tea))
                .blockedBecause()).startsWith("entered browse-abandonment for " + tea);
        assertThat(gate.admit(read(written.toByteArray()), candidate(once, "new-cart", T0 + 300 * DAY, ""))
                .admitted()).as("the cart entry kept for good").isFalse();

        EntryLog takenOver = read(written.toByteArray());
        gate.expire(takenOver, T0 + DAY);
        assertThat(takenOver.getEntries()).isEmpty();
        assertThat(takenOver.getLogged()).hasSize(2);
        DataOutputSerializer now = new DataOutputSerializer(256);
        new AvroBinarySerializer<>(EntryLog.class).serialize(takenOver, now);
        assertThat(now.length()).as("bytes for the same two entries, against %d as before", written.size())
                .isLessThanOrEqualTo(written.size() - 80); // 88 against 178 when written
        EntryLog readBack = new AvroBinarySerializer<>(EntryLog.class)
                .deserialize(new org.apache.flink.core.memory.DataInputDeserializer(now.getCopyOfBuffer()));
        assertThat(gate.admit(readBack, candidate(weekly, "new-trigger", T0 + DAY, tea)).admitted()).isFalse();
        assertThat(gate.expire(readBack, T0 + 7 * DAY).getLogged()).as("the cart entry is left")
                .singleElement().satisfies(entry -> assertThat(entry.getScenario())
                        .isEqualTo(Scenario.code("cart-abandonment")));
    }

    private static GenericData.Record olderEntry(String trigger, long time, long forgetAt) {
        GenericData.Record entry = new GenericData.Record(OLDER.getField("entries").schema().getValueType());
        entry.put("trigger_event_id", trigger);
        entry.put("time", time);
        entry.put("forget_at", forgetAt);
        return entry;
    }

    private static EntryLog read(byte[] olderBytes) throws Exception {
        return new SpecificDatumReader<EntryLog>(OLDER, EntryLog.getClassSchema())
                .read(null, DecoderFactory.get().binaryDecoder(olderBytes, null));
    }
}
