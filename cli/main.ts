// `picora`: the command-line client of a Picora instance, talking to its public API only.
import { Command, CommanderError } from 'commander';
import { registerAccountCommands } from './commands/account.js';
import { registerLibraryCommands } from './commands/library.js';
import { registerLoginCommands } from './commands/login.js';
import { registerUploadCommand } from './commands/upload.js';
import { CliError, EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { printError } from './output.js';

const VERSION = '0.1.0';

const ENV_HELP = `Environment:
  PICORA_URL       the instance (https://img.example.com); with PICORA_API_KEY it replaces \`picora login\`
  PICORA_API_KEY   an API key (scopes: media.read media.write media.delete account.read usage.read as needed)
  XDG_CONFIG_HOME  where the login is stored: $XDG_CONFIG_HOME/picora/config.json (default ~/.config/picora), mode 0600

Not supported yet: resumable (tus) uploads — the server has no /v1/uploads, so big files go as one streamed
upload — and the device-code login flow (login uses email + password).`;

export function buildProgram(): Command {
  const program = new Command('picora');
  const isJson = () => program.opts<{ json?: boolean }>().json === true;
  program
    .description('Upload to and manage a Picora image host from the command line.')
    .version(VERSION, '-V, --version')
    .option('--json', 'machine-readable JSON on stdout (errors as JSON on stderr)')
    .showHelpAfterError('(run `picora --help` for usage)')
    .exitOverride()
    .addHelpText('after', `\n${ENV_HELP}\n\n${EXIT_CODES_HELP}\n`);
  registerLoginCommands(program, isJson);
  registerUploadCommand(program, isJson);
  registerLibraryCommands(program, isJson);
  registerAccountCommands(program, isJson);
  program.commands.forEach((c) => c.addHelpText('after', `\n${EXIT_CODES_HELP}\n`));
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too; every other commander error is a usage error
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    const json = argv.includes('--json');
    if (err instanceof CliError) {
      printError(err, json);
      return err.exitCode;
    }
    if ((err as Error).name === 'ExitPromptError') return EXIT.usage; // Ctrl-C at the password prompt
    printError(new CliError(`unexpected error: ${(err as Error).stack ?? String(err)}`, EXIT.api), json);
    return EXIT.api;
  }
}

process.exitCode = await run(process.argv);
