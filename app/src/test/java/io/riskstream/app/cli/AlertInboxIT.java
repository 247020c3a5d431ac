package io.riskstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.riskstream.schemas.FeedbackAction;
import io.riskstream.schemas.FeedbackSource;
import io.riskstream.schemas.RiskAlertFeedback;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The alert inbox in a real headless browser (Debian's chromium through its chromedriver, installed by
 * .ci/install-test-deps.sh) under {@code http.auth=token} (run's default): the page asks for the access token and
 * serves nothing of patients before; signed in (a session cookie), the alerts produced on risk-alerts after it opened
 * appear with their reasons and probability history, the severity filter hides the others, and acknowledging an alert
 * writes its feedback record; a tampered cookie brings the sign-in form back, and signing out clears the page. Leaves
 * a screenshot in target/alert-inbox.png.
 */
class AlertInboxIT {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  @TempDir
  Path dir;

  @Test
  void shouldShowLiveAlertsAndWriteTheAcknowledgement() throws Exception {
    assertThat(CHROMIUM).as("chromium (apt-get install chromium chromium-driver, see .ci/install-test-deps.sh)")
        .isExecutable();
    assertThat(CHROMEDRIVER).as("chromedriver").isExecutable();
    try (ClinicianInstance instance = ClinicianInstance.start(dir, "inbox-it")) {
      ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
          .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,800",
              "--user-data-dir=" + dir.resolve("chromium"));
      WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build(), options);
      try {
        WebDriverWait wait = new WebDriverWait(browser, PATIENCE);
        browser.get("http://localhost:" + instance.port() + "/inbox");
        assertThat(browser.getTitle()).isEqualTo("RiskStream alert inbox");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
        // not signed in: nothing of patients is served
        assertThat(instance.getAnonymously("/inbox/events").statusCode()).isEqualTo(401);
        assertThat(instance.getAnonymously("/inbox/history?patient=p-1&outcome=a").statusCode()).isEqualTo(401);
        assertThat(instance.postAnonymously("/inbox/feedback", "{}").statusCode()).isEqualTo(401);
        assertThat(instance.getAnonymously("/inbox/session").statusCode()).isEqualTo(401);

        signIn(browser, "not-the-token");
        wait.until(ExpectedConditions.textToBe(By.id("sign-in-error"), "This token is not accepted."));
        signIn(browser, ClinicianInstance.TOKEN);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "live"));
        assertThat(browser.findElement(By.id("sign-in")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("token")).getAttribute("value")).as("the token is not kept").isEmpty();
        Cookie session = browser.manage().getCookieNamed("riskstream_inbox");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        assertThat(session.getPath()).isEqualTo("/inbox");
        assertThat(session.getExpiry()).isNotNull();
        assertThat(browser.findElements(By.cssSelector("article.alert"))).isEmpty();

        instance.producePatient();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("article.alert"), 3));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("article.alert svg.history")));
        List<WebElement> alerts = browser.findElements(By.cssSelector("article.alert"));
        assertThat(alerts).extracting(a -> a.getAttribute("data-outcome")).containsExactlyInAnyOrder("a", "b", "c");
        WebElement critical = browser.findElement(By.cssSelector("article.alert.CRITICAL"));
        assertThat(critical.getAttribute("data-outcome")).isEqualTo("a");
        assertThat(browser.findElements(By.cssSelector("article.alert ul.reasons li:not(.muted)")))
            .extracting(WebElement::getText).anySatisfy(reason -> assertThat(reason).contains("points"));

        new Select(browser.findElement(By.id("filter-severity"))).selectByVisibleText("CRITICAL");
        assertThat(browser.findElements(By.cssSelector("article.alert")).stream().filter(WebElement::isDisplayed)
            .map(a -> a.getAttribute("data-outcome")).toList()).containsExactly("a");
        new Select(browser.findElement(By.id("filter-severity"))).selectByVisibleText("all");

        String alertId = critical.getAttribute("data-alert-id");
        critical.findElement(By.cssSelector("button.accept")).click();
        wait.until(ExpectedConditions.textToBePresentInElement(critical.findElement(By.cssSelector(".answer")),
            "acknowledged"));
        Files.write(Path.of("target", "alert-inbox.png"),
            ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));

        List<ConsumerRecord<String, RiskAlertFeedback>> written = instance.feedback(1);
        // a tampered session: the server refuses it and the page asks for the token again
        browser.manage().deleteCookieNamed("riskstream_inbox");
        browser.manage().addCookie(new Cookie.Builder("riskstream_inbox", tampered(session.getValue()))
            .path("/inbox").isHttpOnly(true).sameSite("Strict").build());
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
        assertThat(browser.findElements(By.cssSelector("article.alert"))).isEmpty();
        signIn(browser, ClinicianInstance.TOKEN);
        wait.until(ExpectedConditions.textToBe(By.id("status"), "live"));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("article.alert"), 3));
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in")));
        assertThat(browser.findElements(By.cssSelector("article.alert"))).as("the alerts leave with the session").isEmpty();
        assertThat(browser.manage().getCookieNamed("riskstream_inbox")).isNull();

        assertThat(written).singleElement().satisfies(r -> {
          assertThat(r.key()).isEqualTo("p-1");
          assertThat(r.value().getAlertId()).isEqualTo(alertId);
          assertThat(r.value().getAction()).isEqualTo(FeedbackAction.ACCEPTED);
          assertThat(r.value().getSource()).isEqualTo(FeedbackSource.INBOX);
          assertThat(r.value().getUserId()).isEqualTo("Practitioner/demo");
        });
      } finally {
        browser.quit();
      }
    }
  }

  private static void signIn(WebDriver browser, String token) {
    WebElement field = browser.findElement(By.id("token"));
    field.clear();
    field.sendKeys(token);
    browser.findElement(By.cssSelector("#sign-in button[type=submit]")).click();
  }

  /** The cookie with its expiry moved a year on (its signature no longer matches). */
  private static String tampered(String value) {
    String[] f = value.split("\\.");
    return f[0] + "." + (Long.parseLong(f[1]) + 365L * 24 * 3600) + "." + f[2] + "." + f[3];
  }
}
