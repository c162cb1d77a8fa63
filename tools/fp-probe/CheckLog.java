import io.github.qbn4j.Reference;
import io.github.qbn4j.internal.TfMath;

/**
 * Prints "bits ceil floor" for every positive normal float whose ceil/floor of log(x)/ln2, as
 * qbn4j computes it, differs from the exact value: the same list tf_log_exceptions.py prints for
 * TensorFlow. Argument "packet" uses packet lanes (arrays of 8), "scalar" the scalar lane.
 */
public class CheckLog {
    public static void main(String[] args) {
        boolean packet = args[0].equals("packet");
        float[] lane = new float[packet ? 8 : 1];
        StringBuilder out = new StringBuilder();
        for (int bits = 0x00800000; bits < 0x7f800000; bits += lane.length) {
            for (int j = 0; j < lane.length; j++) {
                lane[j] = Float.intBitsToFloat(bits + j);
            }
            float[] c = TfMath.of(Reference.defaults()).ceilLog2(lane);
            float[] f = TfMath.of(Reference.defaults()).floorLog2(lane);
            for (int j = 0; j < lane.length; j++) {
                int b = bits + j;
                int e = (b >>> 23) - 127;
                int exactCeil = (b & 0x7fffff) == 0 ? e : e + 1;
                if ((int) c[j] != exactCeil || (int) f[j] != e) {
                    out.append(String.format("%08x %d %d%n", b, (int) c[j], (int) f[j]));
                }
            }
        }
        System.out.print(out);
    }
}
