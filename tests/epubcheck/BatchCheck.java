// Runs EPUBCheck on many files in one JVM (the JVM start costs seconds per file).
// Usage: java -cp /usr/share/java/epubcheck.jar BatchCheck.java FILE.epub...
// Prints EPUBCheck's own messages, then one line per file:
//   RESULT <file> fatal=<n> errors=<n> warnings=<n>
import com.adobe.epubcheck.api.EpubCheck;
import com.adobe.epubcheck.util.DefaultReportImpl;
import java.io.File;

public class BatchCheck {
    public static void main(String[] args) {
        for (String path : args) {
            DefaultReportImpl report = new DefaultReportImpl(path);
            new EpubCheck(new File(path), report).doValidate();
            System.err.flush();
            System.out.println("RESULT " + path + " fatal=" + report.getFatalErrorCount()
                    + " errors=" + report.getErrorCount() + " warnings=" + report.getWarningCount());
            System.out.flush();
        }
    }
}
