package io.lifecyclemail.common.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.schema.ClickType;
import io.lifecyclemail.schema.ClickstreamEvent;
import io.lifecyclemail.schema.DeadLetter;
import io.lifecyclemail.schema.OrderEvent;
import io.lifecyclemail.schema.OrderEventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DecodeOrDeadLetterTest {
    static final Instant TIME = Instant.parse("2026-11-02T09:00:00Z");
    final DecodeOrDeadLetter<ClickstreamEvent> decoder =
            new DecodeOrDeadLetter<>(ClickstreamEvent.class, InputRules.CLICKSTREAM, "decision");

    static ClickstreamEvent.Builder click() {
        return ClickstreamEvent.newBuilder().setEventId("e1").setEventTime(TIME).setCustomerId("c1")
                .setType(ClickType.PAGE_VIEW);
    }

    List<Either<DeadLetter, ClickstreamEvent>> decode(byte[] value) {
        List<Either<DeadLetter, ClickstreamEvent>> out = new ArrayList<>();
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("clickstream", 1, 42L,
                "c1".getBytes(StandardCharsets.UTF_8), value);
        decoder.deserialize(record, new Collector<>() {
            @Override
            public void collect(Either<DeadLetter, ClickstreamEvent> value) {
                out.add(value);
            }

            @Override
            public void close() {}
        });
        return out;
    }

    @Test
    void decodesAGoodRecord() {
        ClickstreamEvent event = click().build();
        assertThat(decode(AvroCodec.of(ClickstreamEvent.class).encode(event)))
                .singleElement().satisfies(result -> assertThat(result.right()).isEqualTo(event));
    }

    @Test
    void avroLengthLimitsAreInForce() {
        assertThat(AvroLimits.inForce()).isTrue();
    }

    @Test
    void aRecordClaimingAHugeArrayIsADeadLetterNotAnOutOfMemoryError() {
        byte[] good = AvroCodec.of(OrderEvent.class).encode(OrderEvent.newBuilder().setEventId("o").setEventTime(TIME)
                .setCustomerId("c").setOrderId("o").setType(OrderEventType.PLACED).build());
        // the record ends with the (empty) lines count and three null unions, one byte each:
        // replace the count with a zig-zag varint of 1,073,741,823 items
        int lines = good.length - 4;
        byte[] count = {(byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        byte[] huge = java.util.Arrays.copyOf(good, lines + count.length + 16);
        System.arraycopy(count, 0, huge, lines, count.length);
        DecodeOrDeadLetter<OrderEvent> orders = new DecodeOrDeadLetter<>(OrderEvent.class, InputRules.ORDERS, "decision");
        List<Either<DeadLetter, OrderEvent>> out = new ArrayList<>();
        orders.deserialize(new ConsumerRecord<>("orders", 0, 1L, null, huge), new Collector<>() {
            @Override
            public void collect(Either<DeadLetter, OrderEvent> value) {
                out.add(value);
            }

            @Override
            public void close() {}
        });
        assertThat(out).singleElement().satisfies(result -> {
            assertThat(result.isLeft()).isTrue();
            assertThat(result.left().getError()).contains("ollection");
        });
    }

    @Test
    void randomBytesBecomeDeadLettersWithOriginAndRawBytes() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            byte[] noise = new byte[random.nextInt(200)];
            random.nextBytes(noise);
            if (i % 2 == 0 && noise.length > 10) {
                // the right marker, then garbage: gets past the header check
                System.arraycopy(AvroCodec.of(ClickstreamEvent.class).encode(click().build()), 0, noise, 0, 10);
            }
            List<Either<DeadLetter, ClickstreamEvent>> result = decode(noise);
            assertThat(result).hasSize(1);
            if (result.get(0).isRight()) {
                continue; // a prefix of a valid record can, rarely, decode into a valid event
            }
            DeadLetter letter = result.get(0).left();
            assertThat(letter.getSourceTopic()).isEqualTo("clickstream");
            assertThat(letter.getSourcePartition()).isEqualTo(1);
            assertThat(letter.getSourceOffset()).isEqualTo(42L);
            assertThat(letter.getJob()).isEqualTo("decision");
            assertThat(letter.getError()).isNotBlank();
            byte[] raw = new byte[letter.getValue().remaining()];
            letter.getValue().duplicate().get(raw);
            assertThat(raw).isEqualTo(noise);
        }
    }

    @Test
    void validAvroOfAnotherTypeIsRefusedByFingerprint() {
        OrderEvent order = OrderEvent.newBuilder().setEventId("o1").setEventTime(TIME).setCustomerId("c1")
                .setOrderId("o1").setType(OrderEventType.PLACED).build();
        assertThat(decode(AvroCodec.of(OrderEvent.class).encode(order))).singleElement().satisfies(result -> {
            assertThat(result.isLeft()).isTrue();
            assertThat(result.left().getErrorType()).isEqualTo(DecodeOrDeadLetter.UNDECODABLE);
            assertThat(result.left().getError()).contains("ClickstreamEvent");
        });
    }

    @Test
    void missingRequiredContentIsInvalid() {
        byte[] noCustomer = AvroCodec.of(ClickstreamEvent.class).encode(click().setCustomerId(" ").build());
        byte[] cartWithoutProduct = AvroCodec.of(ClickstreamEvent.class).encode(click().setType(ClickType.CART_ADD).build());
        byte[] epochZero = AvroCodec.of(ClickstreamEvent.class).encode(click().setEventTime(Instant.EPOCH).build());
        for (byte[] value : Arrays.asList(noCustomer, cartWithoutProduct, epochZero)) {
            assertThat(decode(value)).singleElement().satisfies(result -> {
                assertThat(result.isLeft()).isTrue();
                assertThat(result.left().getErrorType()).isEqualTo(DecodeOrDeadLetter.INVALID);
            });
        }
        assertThat(decode(cartWithoutProduct).get(0).left().getError()).contains("CART_ADD needs product.product_id");
    }

    @Test
    void emptyValueIsADeadLetter() {
        assertThat(decode(null)).singleElement().satisfies(result ->
                assertThat(result.left().getError()).contains("no value"));
    }
}
