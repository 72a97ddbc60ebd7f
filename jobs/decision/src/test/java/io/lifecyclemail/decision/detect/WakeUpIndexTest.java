package io.lifecyclemail.decision.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.state.WakeUps;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class WakeUpIndexTest {
    static final long NOW = 1_793_577_600_000L; // 2026-11-02

    @Test
    void keepsEachDetectorsWakeUpEarliestFirstAndChangesOnlyCopies() {
        WakeUpIndex index = WakeUpIndex.EMPTY.with(7, NOW + 3_600_000).with(3, NOW).with(9, NOW + 60_000);
        assertThat(index.earliest()).isEqualTo(NOW);
        assertThat(index.get(7)).isEqualTo(NOW + 3_600_000);
        assertThat(index.get(4)).isNull();
        assertThat(index.with(9, NOW + 60_000)).as("nothing changes: the same index").isSameAs(index);
        assertThat(index.with(4, null)).isSameAs(index);

        WakeUpIndex moved = index.with(3, NOW + 7_200_000);
        assertThat(moved.earliest()).isEqualTo(NOW + 60_000);
        assertThat(index.get(3)).as("the index it came from is unchanged").isEqualTo(NOW);
        WakeUpIndex removed = moved.with(9, null).with(7, null).with(3, null);
        assertThat(removed.isEmpty()).isTrue();
        assertThat(removed.earliest()).isNull();
    }

    @Test
    void packsAndUnpacksToTheSameIndex() {
        Random random = new Random(11);
        for (int round = 0; round < 1_000; round++) {
            WakeUpIndex index = WakeUpIndex.EMPTY;
            Map<Integer, Long> expected = new HashMap<>();
            for (int i = random.nextInt(16); i > 0; i--) {
                int code = random.nextInt() & Integer.MAX_VALUE;
                // from before 1970 to centuries ahead, and the same instant twice
                long time = switch (random.nextInt(4)) {
                    case 0 -> NOW + random.nextInt(1_000_000_000);
                    case 1 -> random.nextLong() >> 8;
                    case 2 -> NOW;
                    default -> -random.nextInt(1_000_000);
                };
                index = index.with(code, time);
                expected.put(code, time);
            }
            ByteBuffer packed = index.pack();
            WakeUpIndex read = WakeUpIndex.unpack(packed);
            assertThat(read).isEqualTo(index);
            assertThat(packed.position()).as("reading does not move the buffer").isZero();
            expected.forEach((code, time) -> assertThat(read.get(code)).isEqualTo(time));
            assertThat(read.size()).isEqualTo(expected.size());
            assertThat(read.earliest()).isEqualTo(expected.values().stream().min(Long::compare).orElse(null));
            assertThat(WakeUpIndex.earliestPacked(packed)).as("the earliest, read alone").isEqualTo(read.earliest());
            long[] times = expected.values().stream().mapToLong(Long::longValue).sorted().toArray();
            assertThat(WakeUpIndex.unpackTimes(WakeUpIndex.packTimes(times))).as("times alone").containsExactly(times);
        }
    }

    @Test
    void packedTakesLessThanTwoThirdsOfTheMapOlderVersionsWrote() throws Exception {
        // a customer of the W2 benchmark: ten detectors waiting, from an hour to a year ahead
        long[] ahead = {3_600_000, 5_400_000, 86_400_000, 604_800_000, 604_800_001, 864_000_000, 1_728_000_000,
            2_592_000_000L, 15_552_000_000L, 31_536_000_000L};
        WakeUpIndex index = WakeUpIndex.EMPTY;
        Map<String, Long> older = new HashMap<>();
        for (int i = 0; i < ahead.length; i++) {
            int code = ("detector-" + i).hashCode() & Integer.MAX_VALUE;
            index = index.with(code, NOW + ahead[i]);
            older.put("#" + Integer.toString(code, Character.MAX_RADIX), NOW + ahead[i]);
        }
        int packed = avroBytes(WakeUps.newBuilder().setPacked(index.pack()).build());
        int map = avroBytes(WakeUps.newBuilder().setTimes(older).build());
        assertThat(packed).as("packed %d bytes, as a map %d", packed, map).isLessThan(map * 2 / 3);
    }

    @Test
    void anIndexWrittenWithTheOlderSchemaIsReadWithItsTimesAndNothingPacked() throws Exception {
        // WakeUps as versions before the packed form declared it
        org.apache.avro.Schema older = new org.apache.avro.Schema.Parser().parse("""
                {"type": "record", "name": "WakeUps", "namespace": "io.lifecyclemail.state", "fields": [
                  {"name": "times", "type": {"type": "map", "values": "long"}, "default": {}}]}""");
        var record = new org.apache.avro.generic.GenericData.Record(older);
        record.put("times", Map.of("#1tag0", NOW));
        var bytes = new java.io.ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new org.apache.avro.generic.GenericDatumWriter<>(older).write(record, encoder);
        encoder.flush();

        WakeUps read = new org.apache.avro.specific.SpecificDatumReader<WakeUps>(older, WakeUps.getClassSchema())
                .read(null, org.apache.avro.io.DecoderFactory.get().binaryDecoder(bytes.toByteArray(), null));
        assertThat(read.getTimes()).containsEntry("#1tag0", NOW);
        assertThat(WakeUpIndex.unpack(read.getPacked()).isEmpty()).isTrue();
    }

    private static int avroBytes(WakeUps wakeUps) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new SpecificDatumWriter<>(WakeUps.class).write(wakeUps, encoder);
        encoder.flush();
        return bytes.size();
    }
}
