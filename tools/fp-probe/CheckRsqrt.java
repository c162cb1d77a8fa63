import io.github.qbn4j.Reference;
import io.github.qbn4j.internal.TfMath;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compares TfMath.rsqrt (Intel, packet lanes) with TensorFlow's output dumped by tf_rsqrt_dump.py. */
public class CheckRsqrt {
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        float[] in = read(dir.resolve("rsqrt_in.f32"));
        float[] expected = read(dir.resolve("rsqrt_out.f32"));
        float[] actual = TfMath.of(Reference.defaults()).rsqrt(in);
        long bad = 0;
        for (int i = 0; i < in.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                if (bad++ < 10) {
                    System.out.printf("x=%s tf=%s qbn4j=%s%n", in[i], expected[i], actual[i]);
                }
            }
        }
        System.out.println(in.length + " values, " + bad + " differ");
        System.exit(bad == 0 ? 0 : 1);
    }

    static float[] read(Path p) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / 4];
        b.asFloatBuffer().get(f);
        return f;
    }
}
