// The most common passwords of public breach corpora that are 10 characters or longer
// (shorter ones fail the length rule anyway). A small built-in list, not a full
// breach check.
const COMMON = new Set([
  '1234567890',
  '12345678910',
  '123456789a',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  'password1',
  'password12',
  'password123',
  'password1234',
  'passw0rd123',
  'qwertyuiop',
  'qwerty12345',
  'qwerty123456',
  'iloveyou123',
  'abc1234567',
  'abcdefghij',
  'football123',
  'baseball123',
  'superman123',
  'letmein123',
  'welcome123',
  'welcome1234',
  'monkey12345',
  'dragon12345',
  'sunshine123',
  'princess123',
  'trustno1234',
  'master12345',
  'administrator',
  'changeme123',
  'qazwsxedcrfv',
  'zaq12wsxcde',
  '0987654321',
  '1111111111',
  '0000000000',
  'aaaaaaaaaa',
  'asdfghjkl1',
  'asdfghjkl;',
  'p@ssw0rd123',
  'passwordpassword',
  'myspace123',
  'computer123',
]);

/** Why `password` may not be used for `email`, or undefined if it may. */
export function passwordProblem(password: string, email: string): string | undefined {
  if (password.length < 10) return 'must be at least 10 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  if (COMMON.has(password.toLowerCase())) return 'is one of the most common passwords';
  if (email && password.toLowerCase().includes(email.toLowerCase()))
    return 'must not contain the email address';
  return undefined;
}
