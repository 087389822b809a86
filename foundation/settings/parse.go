package settings

import (
	"errors"
	"fmt"

	"github.com/ardanlabs/conf/v3"
)

// Parse reads cfg from the command line and the environment variables
// prefix_GROUP_NAME, as conf does. When --help or --version was asked for
// it prints the answer and returns an error Answered reports.
func Parse(prefix string, cfg any) error {
	help, err := conf.Parse(prefix, cfg)
	if Answered(err) {
		fmt.Println(help)
		return err
	}
	if err != nil {
		return fmt.Errorf("parse config: %w", err)
	}
	return nil
}

// Answered reports whether err is Parse saying that --help or --version
// was asked for and answered: a success, not a failure.
func Answered(err error) bool {
	return errors.Is(err, conf.ErrHelpWanted) || errors.Is(err, conf.ErrVersionWanted)
}
