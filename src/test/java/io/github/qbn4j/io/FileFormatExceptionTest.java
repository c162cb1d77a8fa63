package io.github.qbn4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class FileFormatExceptionTest {

    @Test
    void messageNamesFileAndByteOffset() {
        FileFormatException e = new FileFormatException("x.npy", 42, "truncated data");
        assertThat(e).isInstanceOf(IOException.class);
        assertThat(e.getMessage()).isEqualTo("x.npy: truncated data (at byte 42)");
        assertThat(e.fileName()).isEqualTo("x.npy");
        assertThat(e.byteOffset()).isEqualTo(42);
        assertThat(e.detail()).isEqualTo("truncated data");
    }

    @Test
    void negativeOffsetMeansNotApplicableAndIsLeftOutOfTheMessage() {
        FileFormatException e = new FileFormatException("w.npz", -7, "duplicate entry 'a.npy'");
        assertThat(e.byteOffset()).isEqualTo(-1);
        assertThat(e.getMessage()).isEqualTo("w.npz: duplicate entry 'a.npy'");
    }

    @Test
    void keepsCauseAndShowsUnknownForNullFileName() {
        Throwable cause = new IllegalStateException("inner");
        FileFormatException e = new FileFormatException(null, 0, "bad magic", cause);
        assertThat(e.getCause()).isSameAs(cause);
        assertThat(e.fileName()).isEqualTo("<unknown>");
        assertThat(e.getMessage()).isEqualTo("<unknown>: bad magic (at byte 0)");
    }
}
